import type { Contacts, Customer, Identification } from './domain.js';
import type { Context } from './context.js';

/**
 * The one place where personal data (design.md "Viewers, roles and scope": `identification.number`
 * and `contacts`) leaves this subgraph. Today it is returned as the CRM has it; masking by the
 * viewer's role (agent: ID number masked but the last 4; billing and noc: masked; analyst: null;
 * admin: in full) comes with the viewer token in a later issue, and goes here — and only here.
 */

export function identificationFor(customer: Customer, _ctx: Context): Identification | null {
  return customer.identification;
}

export function contactsFor(customer: Customer, _ctx: Context): Contacts | null {
  return customer.contacts;
}
