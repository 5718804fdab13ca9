/**
 * The example operations the playground opens as tabs. Tests validate every one against the API
 * schema of `schema/supergraph.graphql`, and docs may quote them, so they live here rather than
 * inside the page. This module runs in the browser too: it must import nothing.
 */
export interface PlaygroundExample {
  /** What the example shows, in words; the tab itself is titled by the operation name. */
  readonly title: string;
  /** One named operation (GraphiQL names its tab after it). */
  readonly query: string;
  /** Variables that make the operation run as is against the embedded stack. */
  readonly variables: Readonly<Record<string, unknown>>;
}

export const examples: readonly PlaygroundExample[] = [
  {
    title: 'Customer 360 by phone number',
    query: `# Customer 360 by phone number: who the customer is
# (CRM), what they own and owe (billing), how their
# lines do on the network (NMS), what is still open (CRM).
query Customer360ByPhoneNumber($serviceNumber: String!) {
  customerByServiceNumber(serviceNumber: $serviceNumber) {
    id
    name
    region { province localNetwork }
    segment
    starLevel
    bigCustomerClass
    balance { amount currency }
    accounts {
      accountNumber
      type
      state
      balances { type amount { amount currency } }
      bills(last: 3) {
        billNo
        period
        amountDue { amount currency }
        remaining { amount currency }
        state
        dueDate
      }
    }
    serviceLines {
      serviceNumber
      kind
      productName
      status
      networkStatus { operState adminState affected }
      activeAlarms {
        id
        severity
        probableCause
        raisedAt
        element { id name }
      }
    }
    openTickets: tickets(status: [ACKNOWLEDGED, IN_PROGRESS, PENDING, HELD]) {
      id
      type
      status
      priority
      summary
      openedAt
    }
  }
}
`,
    variables: { serviceNumber: '17923262384' },
  },
  {
    title: 'Big customers of a province',
    query: `# Big customers of a province with their account manager
# and group (CRM), and what they bring in (billing).
# Next page: add after: <pageInfo.endCursor>.
query BigCustomersOfAProvince($province: String!, $first: Int = 20) {
  customers(filter: { province: $province, bigCustomer: true }, first: $first) {
    edges {
      cursor
      node {
        id
        name
        kind
        segment
        region { province localNetwork }
        bigCustomerClass
        accountManager
        group { id name }
        arpu { amount currency }
        balance { amount currency }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
`,
    variables: { province: 'GD', first: 20 },
  },
  {
    title: 'Customers affected by an outage',
    query: `# Customers affected by an outage: the outage, its
# root-cause alarms and the lines it affects (NMS), whose
# lines they are and whether they called about it (CRM).
query CustomersAffectedByAnOutage($province: String, $first: Int = 20) {
  outages(province: $province) {
    id
    status
    startedAt
    region { province localNetwork }
    rootCauseAlarms {
      id
      severity
      probableCause
      specificProblem
      element { id name kind }
    }
    affectedServiceCount
    affectedServiceLines(first: $first) {
      edges {
        node {
          serviceNumber
          networkStatus { operState affected }
          customer {
            id
            name
            starLevel
            tickets(status: [ACKNOWLEDGED, IN_PROGRESS, PENDING]) { id status summary }
          }
        }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
}
`,
    variables: { province: 'GD', first: 20 },
  },
  {
    title: 'A ticket with its alarm',
    query: `# Open tickets (CRM) with the line they are about and
# the alarm behind them (NMS), down to the network
# element and the element upstream of it.
query TicketWithItsAlarm($province: String, $status: [TicketStatus!], $first: Int = 10) {
  tickets(filter: { province: $province, status: $status }, first: $first) {
    edges {
      node {
        id
        type
        status
        summary
        openedAt
        customer { id name }
        serviceLine {
          serviceNumber
          kind
          networkStatus { operState affected }
        }
        alarm {
          id
          severity
          probableCause
          raisedAt
          clearedAt
          element { id name parent { id } }
        }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
`,
    variables: { province: 'GD', status: ['ACKNOWLEDGED', 'IN_PROGRESS', 'PENDING'], first: 10 },
  },
];
