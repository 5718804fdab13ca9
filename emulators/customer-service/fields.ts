/**
 * The CRM's business components as they appear on the wire (contract §3): Siebel-style field
 * names with spaces, every value a string (`""` = null), date-times as local
 * `MM/DD/YYYY HH:MM:SS`, and two list fields carried as comma-separated strings.
 */

export type BusinessComponent = 'Customer' | 'ServiceRequest' | 'Activity' | 'Survey';

export const BUSINESS_COMPONENTS: readonly BusinessComponent[] = ['Customer', 'ServiceRequest', 'Activity', 'Survey'];

/** How a field compares and sorts: text by code point, dates by instant, numbers by value, lists by membership. */
export type FieldKind = 'text' | 'date' | 'number' | 'list';

/** One record as sent: field name → string value. */
export type Row = Record<string, string>;

const CUSTOMER_FIELDS: Record<string, FieldKind> = {
  'Row Id': 'text',
  Name: 'text',
  'Customer Type': 'text',
  Status: 'text',
  Segment: 'text',
  'Star Level': 'text',
  'Big Customer Class': 'text',
  Province: 'text',
  'Local Network': 'text',
  'Account Manager': 'text',
  'Parent Row Id': 'text',
  'ID Type': 'text',
  'ID Number': 'text',
  Phone: 'text',
  Email: 'text',
  'Preferred Channel': 'text',
  'Billing Account Numbers': 'list',
  'Service Numbers': 'list',
  Created: 'date',
};

const SERVICE_REQUEST_FIELDS: Record<string, FieldKind> = {
  'SR Number': 'text',
  'Customer Id': 'text',
  Type: 'text',
  Status: 'text',
  Priority: 'text',
  Source: 'text',
  Abstract: 'text',
  Province: 'text',
  'Local Network': 'text',
  Opened: 'date',
  Closed: 'date',
  'Resolution Code': 'text',
  'Commit Time': 'date',
  'Related Service Number': 'text',
  'Related Alarm Id': 'text',
  'External Ref': 'text',
};

const ACTIVITY_FIELDS: Record<string, FieldKind> = {
  'Activity Id': 'text',
  'Customer Id': 'text',
  Direction: 'text',
  Channel: 'text',
  Reason: 'text',
  Start: 'date',
  Agent: 'text',
  Status: 'text',
};

const SURVEY_FIELDS: Record<string, FieldKind> = {
  'Customer Id': 'text',
  CSAT: 'number',
  NPS: 'number',
  Date: 'date',
};

export const FIELDS: Record<BusinessComponent, ReadonlyMap<string, FieldKind>> = {
  Customer: new Map(Object.entries(CUSTOMER_FIELDS)),
  ServiceRequest: new Map(Object.entries(SERVICE_REQUEST_FIELDS)),
  Activity: new Map(Object.entries(ACTIVITY_FIELDS)),
  Survey: new Map(Object.entries(SURVEY_FIELDS)),
};

/** The date field each component's lists are "newest first" by (byCustomer's default order). */
export const NEWEST_FIRST_FIELD: Record<Exclude<BusinessComponent, 'Customer'>, string> = {
  ServiceRequest: 'Opened',
  Activity: 'Start',
  Survey: 'Date',
};

/** Value lists (Siebel LOVs). */
export const SR_TYPES = ['Complaint', 'Incident', 'Request'] as const;
export const SR_STATUSES = ['Open', 'Pending', 'Open - Escalated', 'Closed', 'Cancelled'] as const;
/** The statuses of a request still being worked: these are at most {@link MAX_OPEN_DAYS} old. */
export const OPEN_SR_STATUSES: ReadonlySet<string> = new Set(['Open', 'Pending', 'Open - Escalated']);
export const SR_PRIORITIES = ['1-ASAP', '2-High', '3-Medium', '4-Low'] as const;
export const SR_SOURCES = ['Phone', 'Web', 'Email', 'Fax', 'Store'] as const;
export const ACTIVITY_DIRECTIONS = ['Inbound', 'Outbound'] as const;
export const ACTIVITY_CHANNELS = ['Phone', 'SMS', 'WeChat', 'Email', 'Store', 'App', 'Web'] as const;
export const ACTIVITY_STATUSES = ['Planned', 'In Progress', 'Done', 'Cancelled'] as const;

/** The longest a generated service request stays open (the bound of open-ticket listings). */
export const MAX_OPEN_DAYS = 42;
