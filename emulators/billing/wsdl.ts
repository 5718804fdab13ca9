import { SERVICES, operationsOf, type ServiceName } from './operations.js';

/**
 * The hand-written WSDL 1.1 of each service (contract §1: "small, accurate"): document/literal,
 * SOAP 1.1 over HTTP, `soapAction` = the operation name. Only the message elements are
 * namespace-qualified (`elementFormDefault="unqualified"`), as on the wire.
 */

/** An XSD particle: an element of a simple or named type, an anonymous sequence, or a choice. */
type Particle =
  | { readonly el: string; readonly type: string; readonly occurs?: Occurs }
  | { readonly el: string; readonly seq: readonly Particle[]; readonly occurs?: Occurs }
  | { readonly choice: readonly Particle[] };
type Occurs = 'optional' | 'many' | 'optionalMany';

const el = (name: string, type = 'xsd:string', occurs?: Occurs): Particle => ({ el: name, type, ...(occurs && { occurs }) });
const seq = (name: string, children: readonly Particle[], occurs?: Occurs): Particle => ({ el: name, seq: children, ...(occurs && { occurs }) });
const choice = (...children: Particle[]): Particle => ({ choice: children });

/** Money in fen: a signed whole number. */
const FEN = 'xsd:long';

const paging = [el('BeginRowNum', 'xsd:int', 'optional'), el('FetchRowNum', 'xsd:int', 'optional')];
const pageHeader = [el('TotalRowNum', 'xsd:int'), el('BeginRowNum', 'xsd:int'), el('FetchRowNum', 'xsd:int')];
const keyChoice = (occurs?: Occurs) => choice(...['ServiceNumber', 'CustKey', 'CrmCustId', 'AcctKey'].map((k) => el(k, 'xsd:string', occurs)));

/** `Customer`, `Account`*, `Subscriber`* — an empty element is null (e.g. `<ParentAcctKey/>`). */
const customerContent = (optionalCustomer: boolean): Particle[] => [
  seq(
    'Customer',
    [el('CustKey'), el('CrmCustId'), el('CustName'), el('ProvinceCode'), el('RegionCode')],
    optionalCustomer ? 'optional' : undefined,
  ),
  seq('Account', [el('AcctKey'), el('PaymentType'), el('Status'), el('ParentAcctKey')], 'optionalMany'),
  seq(
    'Subscriber',
    [el('ServiceNumber'), el('ServiceType'), el('IMSI'), el('ICCID'), el('ProductName'), el('Status'), el('ActiveTime'), el('AcctKey')],
    'optionalMany',
  ),
];

const balanceContent = (optional: boolean): Particle[] => [
  el('AcctKey', 'xsd:string', optional ? 'optional' : undefined),
  seq('Balance', [el('BalanceType'), el('Amount', FEN)], 'optionalMany'),
  el('CreditLimit', 'xsd:string', optional ? 'optional' : undefined),
];

const itemStatus = [el('Key'), el('ResultCode'), el('ResultDesc')];

/** Request and result content of each operation. */
const SCHEMAS: Record<string, { request: Particle[]; result: Particle[] }> = {
  QueryCustomerInfo: { request: [keyChoice()], result: customerContent(false) },
  BatchQueryCustomerInfo: {
    // Up to 100 keys of one kind; more answer ResultCode 1010 rather than a fault.
    request: [keyChoice('many')],
    result: [seq('CustomerInfo', [...itemStatus, ...customerContent(true)], 'many')],
  },
  QueryBalance: { request: [el('AcctKey')], result: balanceContent(false) },
  BatchQueryBalance: {
    // Up to 50 keys; more answer ResultCode 1010.
    request: [el('AcctKey', 'xsd:string', 'many')],
    result: [seq('BalanceInfo', [...itemStatus, ...balanceContent(true)], 'many')],
  },
  AdjustBalance: {
    request: [el('AcctKey'), el('Amount', FEN), el('Reason')],
    result: [el('AcctKey'), el('BalanceType'), el('Amount', FEN), el('NewBalance', FEN)],
  },
  QueryTransaction: {
    request: [el('MessageSeq')],
    result: [
      el('MessageSeq'),
      el('BusinessCode'),
      el('Applied', 'xsd:boolean'),
      el('TransResultCode'),
      el('TransResultDesc'),
      el('AcctKey'),
      el('Amount', FEN),
      el('TransTime'),
    ],
  },
  QueryBillList: {
    request: [el('AcctKey'), el('BeginMonth', 'xsd:string', 'optional'), el('EndMonth', 'xsd:string', 'optional'), ...paging],
    result: [
      ...pageHeader,
      seq(
        'BillInfo',
        [el('BillNo'), el('BillCycle'), el('BillDate'), el('DueDate'), el('AmountDue', FEN), el('Remaining', FEN), el('Status')],
        'optionalMany',
      ),
    ],
  },
  QueryPaymentLog: {
    request: [el('AcctKey'), el('StartTime', 'xsd:string', 'optional'), el('EndTime', 'xsd:string', 'optional'), ...paging],
    result: [...pageHeader, seq('PaymentInfo', [el('PaymentId'), el('PayTime'), el('Amount', FEN), el('Channel'), el('PayMethod')], 'optionalMany')],
  },
  QueryCDR: {
    request: [el('ServiceNumber'), el('StartTime'), el('EndTime'), ...paging],
    result: [
      ...pageHeader,
      seq(
        'CDRInfo',
        [
          el('CdrType'),
          el('dateOfEvent'),
          el('timeOfEvent'),
          el('duration'),
          el('duraction'),
          el('Volume'),
          el('CalledNumber'),
          el('Charge', FEN),
        ],
        'optionalMany',
      ),
    ],
  },
};

const occursAttrs = (o?: Occurs) =>
  o === 'optional' ? ' minOccurs="0"' : o === 'many' ? ' maxOccurs="unbounded"' : o === 'optionalMany' ? ' minOccurs="0" maxOccurs="unbounded"' : '';

function particle(p: Particle, indent: string): string {
  if ('choice' in p) return `${indent}<xsd:choice>\n${p.choice.map((c) => particle(c, indent + '  ')).join('')}${indent}</xsd:choice>\n`;
  if ('type' in p) return `${indent}<xsd:element name="${p.el}" type="${p.type}"${occursAttrs(p.occurs)}/>\n`;
  return `${indent}<xsd:element name="${p.el}"${occursAttrs(p.occurs)}><xsd:complexType><xsd:sequence>\n${p.seq
    .map((c) => particle(c, indent + '  '))
    .join('')}${indent}</xsd:sequence></xsd:complexType></xsd:element>\n`;
}

const REQUEST_HEADER = [
  el('Version'),
  el('BusinessCode'),
  el('MessageSeq'),
  seq('AccessSecurity', [el('LoginSystemCode'), el('Password')]),
  el('OperatorID'),
  el('ProvinceCode', 'xsd:string', 'optional'),
  el('RegionCode', 'xsd:string', 'optional'),
  seq('TimeFormat', [el('TimeType', 'xsd:string', 'optional'), el('TimeZoneID', 'xsd:string', 'optional')], 'optional'),
];
const RESULT_HEADER = [el('Version'), el('ResultCode'), el('ResultDesc'), el('MessageSeq'), el('RetryAfter', 'xsd:int', 'optional')];

/** The WSDL of a service, without its XML declaration (the writer adds it in the answer's charset). */
export function wsdlFor(service: ServiceName, location: string): string {
  const { uri } = SERVICES[service];
  const ops = operationsOf(service);
  const types = [
    `<xsd:complexType name="RequestHeader"><xsd:sequence>\n${REQUEST_HEADER.map((p) => particle(p, '        ')).join('')}      </xsd:sequence></xsd:complexType>`,
    `<xsd:complexType name="ResultHeader"><xsd:sequence>\n${RESULT_HEADER.map((p) => particle(p, '        ')).join('')}      </xsd:sequence></xsd:complexType>`,
  ];
  const elements = ops.flatMap((op) => {
    const s = SCHEMAS[op.name]!;
    return [
      `<xsd:element name="${op.name}RequestMsg"><xsd:complexType><xsd:sequence>\n        <xsd:element name="RequestHeader" type="tns:RequestHeader"/>\n${particle(seq(`${op.name}Request`, s.request), '        ')}      </xsd:sequence></xsd:complexType></xsd:element>`,
      `<!-- ${op.name}Result is absent when ResultCode is not 0 -->\n      <xsd:element name="${op.name}ResultMsg"><xsd:complexType><xsd:sequence>\n        <xsd:element name="ResultHeader" type="tns:ResultHeader"/>\n${particle(seq(`${op.name}Result`, s.result, 'optional'), '        ')}      </xsd:sequence></xsd:complexType></xsd:element>`,
    ];
  });
  const messages = ops.flatMap((op) => [
    `  <wsdl:message name="${op.name}Request"><wsdl:part name="parameters" element="tns:${op.name}RequestMsg"/></wsdl:message>`,
    `  <wsdl:message name="${op.name}Response"><wsdl:part name="parameters" element="tns:${op.name}ResultMsg"/></wsdl:message>`,
  ]);
  const portOps = ops.map(
    (op) => `    <wsdl:operation name="${op.name}"><wsdl:input message="tns:${op.name}Request"/><wsdl:output message="tns:${op.name}Response"/></wsdl:operation>`,
  );
  const bindingOps = ops.map(
    (op) =>
      `    <wsdl:operation name="${op.name}"><soap:operation soapAction="${op.name}" style="document"/><wsdl:input><soap:body use="literal"/></wsdl:input><wsdl:output><soap:body use="literal"/></wsdl:output></wsdl:operation>`,
  );
  return `<wsdl:definitions name="${service}" targetNamespace="${uri}"
    xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
    xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:tns="${uri}">
  <wsdl:documentation>Billing (BSS) ${service}. SOAP 1.1, document/literal. Answers are GBK-labelled unless the system is configured for UTF-8; decode "GBK" with a GB18030 decoder. Money is in fen; times are local yyyyMMddHHmmss (Asia/Shanghai); an empty element means null.</wsdl:documentation>
  <wsdl:types>
    <xsd:schema targetNamespace="${uri}" elementFormDefault="unqualified">
      ${[...types, ...elements].join('\n      ')}
    </xsd:schema>
  </wsdl:types>
${messages.join('\n')}
  <wsdl:portType name="${service}PortType">
${portOps.join('\n')}
  </wsdl:portType>
  <wsdl:binding name="${service}SoapBinding" type="tns:${service}PortType">
    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
${bindingOps.join('\n')}
  </wsdl:binding>
  <wsdl:service name="${service}">
    <wsdl:port name="${service}Port" binding="tns:${service}SoapBinding"><soap:address location="${location}"/></wsdl:port>
  </wsdl:service>
</wsdl:definitions>
`;
}
