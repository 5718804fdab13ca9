import { ProductError } from '../../lib/errors.js';
import { maskEmail, maskIdNumber, maskPhone, piiAccessOf, type Viewer } from '../../lib/viewer.js';
import type { Contacts, Customer, CustomerSearch, Identification } from './domain.js';
import type { Context } from './context.js';

/**
 * The one place where personal data (design.md "Viewers, roles and scope": `identification.number`
 * and `contacts`) leaves this subgraph, shaped by the viewer's roles (`piiAccessOf`):
 *
 * | access | `identification.number` | `contacts` |
 * | --- | --- | --- |
 * | `full` (admin) | as the CRM has it | as the CRM has it |
 * | `agent` | masked but the last 4 (`**************0012`) | as the CRM has it |
 * | `masked` (billing, noc) | every character masked | phone `138****5678`, e-mail `z****@example.cn`; the preferred channel as is |
 * | `none` (analyst) | null (the document type stays) | null |
 *
 * Records are kept unmasked in the loaders and the stale cache (whose keys carry the viewer's
 * roles anyway) and masked here, per field and per request, so that no shared value can carry one
 * viewer's view to another. Service numbers are keys, not contact details: never masked.
 */

export function identificationFor(customer: Customer, ctx: Context): Identification | null {
  const id = customer.identification;
  if (id === null || id.number === null) return id;
  const access = piiAccessOf(ctx.viewer);
  switch (access) {
    case 'full':
      return id;
    case 'none':
      return { type: id.type, number: null };
    default:
      return { type: id.type, number: maskIdNumber(id.number, access) };
  }
}

export function contactsFor(customer: Customer, ctx: Context): Contacts | null {
  const contacts = customer.contacts;
  if (contacts === null) return null;
  switch (piiAccessOf(ctx.viewer)) {
    case 'full':
    case 'agent':
      return contacts;
    case 'none':
      return null;
    case 'masked':
      return {
        phone: contacts.phone === null ? null : maskPhone(contacts.phone),
        email: contacts.email === null ? null : maskEmail(contacts.email),
        preferredChannel: contacts.preferredChannel,
      };
  }
}

/**
 * A customer search by ID number or phone is refused to a viewer who may not read them (the
 * analyst): otherwise the search would answer "whose number is this?", an oracle for exactly what
 * masking hides. The masked roles (billing, noc) may search by them: they start from a number the
 * caller gave them, and what they get back is the record as they may see it (masked), no more.
 */
export function assertMaySearchByPii(viewer: Viewer, search: CustomerSearch): void {
  if (piiAccessOf(viewer) !== 'none') return;
  const by = [search.idNumber !== undefined ? 'filter.idNumber' : undefined, search.phone !== undefined ? 'filter.phone' : undefined].filter((x) => x !== undefined);
  if (!by.length) return;
  throw new ProductError(
    'FORBIDDEN',
    'customer-service',
    `Searching customers by ${by.join(' and ')} is not allowed with your roles (${viewer.roles.join(', ')}): they may not read identification numbers or contacts. Search by name, region or segment instead.`,
    { extensions: { argument: by[0] } },
  );
}
