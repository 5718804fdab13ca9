import type DataLoader from 'dataloader';
import { findProductError } from '../../lib/errors.js';
import { inScope, type Area, type RecordRegion } from '../../lib/viewer.js';
import { outOfScope } from '../shared/auth.js';
import type { RequestScope } from '../shared/server.js';
import type { BillingCustomer } from './domain.js';

/**
 * Region scope in the billing subgraph (design.md, "Viewers, roles and scope"). It is enforced
 * twice, on purpose:
 *
 * 1. billing itself: every call names the viewer's region as `ProvinceCode`/`RegionCode`
 *    (`callerFor`), and billing answers ResultCode 103 for a record outside it;
 * 2. here: every customer this subgraph hands out — and so every account, line, balance, bill,
 *    payment and usage record, which are only ever reached through their customer — is checked
 *    against the region billing records for it (`ProvinceCode`/`RegionCode` of the customer).
 *
 * Either way the viewer gets the same answer: null with FORBIDDEN, naming the key asked for.
 * Accounts and lines have no region of their own in billing; they are their customer's.
 */

const SYSTEM = 'billing';

/** The region billing records for a customer. */
export function customerRegion(customer: BillingCustomer): RecordRegion {
  return { province: customer.province, localNetwork: customer.localNetwork };
}

/**
 * Null for null; the customer when the viewer may see it; else FORBIDDEN. `what` names the thing
 * asked for in the message (`Customer 1-7QX3KD`, `Service line 13812345678`); `extensions` carries
 * its key, and the customer's id is added.
 */
export function visibleCustomer(scope: RequestScope, customer: BillingCustomer | null, what: string, extensions: Record<string, unknown> = {}): BillingCustomer | null {
  if (customer === null) return null;
  if (!inScope(scope.viewer, customerRegion(customer))) throw outOfScope(SYSTEM, scope.viewer, what, { ...extensions, customerId: customer.id });
  return customer;
}

/**
 * A customer through one of the customer loaders, scope-checked both ways: billing's own refusal
 * (ResultCode 103, which the client makes FORBIDDEN for that key alone) and a customer billing did
 * answer but records outside the viewer's region both end as the same FORBIDDEN, naming `what`.
 * Other failures pass through unchanged.
 */
export async function loadVisibleCustomer(
  scope: RequestScope,
  loader: DataLoader<string, BillingCustomer | null>,
  key: string,
  what: string,
  extensions: Record<string, unknown>,
): Promise<BillingCustomer | null> {
  let customer: BillingCustomer | null;
  try {
    customer = await loader.load(key);
  } catch (e) {
    if (findProductError(e)?.code === 'FORBIDDEN') throw outOfScope(SYSTEM, scope.viewer, what, extensions);
    throw e;
  }
  return visibleCustomer(scope, customer, what, extensions);
}

/**
 * design.md's permission matrix for this subgraph's fields (lib/viewer.ts `Area`); the shared
 * server guards each listed field (`guardFieldAreas`). A line's number, kind, product and status
 * are `lines` (the NOC reads them); everything about money and the SIM — accounts, balances,
 * bills, payments, usage, ARPU, IMSI/ICCID, and the activation date, which `lines` does not name —
 * is `billing`. `Query.customerByServiceNumber` is not listed: it answers only a customer key,
 * whose fields are guarded one by one.
 */
export const billingFieldAreas: Readonly<Record<string, Area>> = {
  'Customer.id': 'customer-basic',
  'Customer.serviceLines': 'lines',
  'Customer.accounts': 'billing',
  'Customer.balance': 'billing',
  'Customer.arpu': 'billing',
  'BillingAccount.accountNumber': 'billing',
  'BillingAccount.type': 'billing',
  'BillingAccount.state': 'billing',
  'BillingAccount.creditLimit': 'billing',
  'BillingAccount.balances': 'billing',
  'BillingAccount.bills': 'billing',
  'BillingAccount.payments': 'billing',
  'BillingAccount.serviceLines': 'billing',
  'BillingAccount.parent': 'billing',
  'BillingAccount.customer': 'billing',
  'ServiceLine.serviceNumber': 'lines',
  'ServiceLine.kind': 'lines',
  'ServiceLine.productName': 'lines',
  'ServiceLine.status': 'lines',
  'ServiceLine.customer': 'lines',
  'ServiceLine.activatedAt': 'billing',
  'ServiceLine.imsi': 'billing',
  'ServiceLine.iccid': 'billing',
  'ServiceLine.account': 'billing',
  'ServiceLine.usage': 'billing',
};
