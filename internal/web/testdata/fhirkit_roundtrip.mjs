// A GP system's round trip against Oikos's FHIR base with a maintained
// FHIR client (fhir-kit-client), knowing nothing of Oikos: discover,
// refer, follow, and read the errors. Run by TestFHIRClientRoundTrip with
// OIKOS_FHIR_BASE, OIKOS_TOKEN (a referrer's), OIKOS_OTHER_TOKEN (a
// provider's) and OIKOS_SERVICE_REQUEST (the resource to send). Prints one
// line per call, "ok <call>: <result>" or "FAIL <call>: <why>", and exits
// 1 if any failed.
import { Client, CapabilityTool } from 'fhir-kit-client';

const base = process.env.OIKOS_FHIR_BASE;
const failures = [];
const ok = (call, result) => console.log(`ok ${call}: ${result}`);
const fail = (call, why) => { failures.push(call); console.log(`FAIL ${call}: ${why}`); };
const check = (call, cond, result, why) => (cond ? ok(call, result) : fail(call, why));

// The answer of a call that must fail: its status and OperationOutcome.
async function refused(call, fn, status, expression) {
  try {
    const res = await fn();
    fail(call, `answered ${JSON.stringify(res).slice(0, 200)}, want ${status}`);
  } catch (e) {
    const got = e.response?.status;
    let data = e.response?.data;
    if (typeof data === 'string') {
      try { data = JSON.parse(data); } catch { /* left as text */ }
    }
    const issue = data?.issue?.[0];
    const expr = issue?.expression?.[0] ?? '';
    check(call, got === status && data?.resourceType === 'OperationOutcome' && (!expression || expr === expression),
      `${got} OperationOutcome ${issue?.code}${expr ? ' at ' + expr : ''}: ${issue?.diagnostics}`,
      `${got} ${JSON.stringify(data).slice(0, 300)}`);
  }
}

try {
  // Discover, without signing in.
  const anonymous = new Client({ baseUrl: base });
  const cs = await anonymous.capabilityStatement();
  const tool = new CapabilityTool(cs);
  check('capabilityStatement()', cs.resourceType === 'CapabilityStatement' && cs.fhirVersion === '4.0.1',
    `${cs.resourceType} FHIR ${cs.fhirVersion}, ${cs.kind}, ${cs.format?.join(' ')}`, JSON.stringify(cs).slice(0, 300));
  check('CapabilityTool', tool.resourceCan('ServiceRequest', 'create') && tool.resourceCan('Task', 'read') &&
    tool.resourceCan('Task', 'search-type') && tool.resourceSearch('Task', 'based-on') && tool.resourceCan('Communication', 'read'),
    `ServiceRequest ${tool.interactionsFor({ resourceType: 'ServiceRequest' }).join(', ')}; Task ${tool.interactionsFor({ resourceType: 'Task' }).join(', ')}`,
    'the capability statement does not offer what a GP system needs');

  // Refer.
  const gp = new Client({ baseUrl: base, bearerToken: process.env.OIKOS_TOKEN });
  const body = JSON.parse(process.env.OIKOS_SERVICE_REQUEST);
  const sr = await gp.create({ resourceType: 'ServiceRequest', body });
  const created = Client.httpFor(sr).response;
  check('create(ServiceRequest)', sr.resourceType === 'ServiceRequest' && sr.id && created?.status === 201,
    `${created?.status} ServiceRequest/${sr.id}, Location ${created?.headers.get('Location')}`, JSON.stringify(sr).slice(0, 300));

  // Follow: the Task, by search, then by its fullUrl and by id.
  const bundle = await gp.search({ resourceType: 'Task', searchParams: { 'based-on': `ServiceRequest/${sr.id}` } });
  const entry = bundle.entry?.[0];
  check('search(Task, based-on)', bundle.resourceType === 'Bundle' && bundle.type === 'searchset' && bundle.entry?.length === 1,
    `Bundle ${bundle.type}, total ${bundle.total}, fullUrl ${entry?.fullUrl}`, JSON.stringify(bundle).slice(0, 300));
  const byURL = await gp.resolve({ reference: entry.fullUrl });
  check('resolve(fullUrl)', byURL.resourceType === 'Task' && byURL.id === entry.resource.id,
    `Task/${byURL.id} ${byURL.status}, ${byURL.businessStatus?.text}`, JSON.stringify(byURL).slice(0, 300));
  const task = await gp.read({ resourceType: 'Task', id: entry.resource.id });
  check('read(Task)', task.resourceType === 'Task' && task.basedOn?.[0]?.reference === `ServiceRequest/${sr.id}`,
    `Task/${task.id} based on ${task.basedOn?.[0]?.reference}`, JSON.stringify(task).slice(0, 300));
  const again = await gp.read({ resourceType: 'ServiceRequest', id: sr.id });
  check('read(ServiceRequest)', again.id === sr.id && again.status === sr.status, `ServiceRequest/${again.id} ${again.status}`,
    JSON.stringify(again).slice(0, 300));
  const none = await gp.search({ resourceType: 'Communication', searchParams: { 'based-on': `ServiceRequest/${sr.id}` } });
  check('search(Communication, based-on)', none.resourceType === 'Bundle' && (none.entry ?? []).length === 0,
    `Bundle ${none.type}, total ${none.total} (the referral is open)`, JSON.stringify(none).slice(0, 300));

  // What goes wrong is told as FHIR.
  await refused('read(Task) by another organisation', () => new Client({ baseUrl: base, bearerToken: process.env.OIKOS_OTHER_TOKEN })
    .read({ resourceType: 'Task', id: task.id }), 404);
  await refused('read(ServiceRequest) without a token', () => anonymous.read({ resourceType: 'ServiceRequest', id: sr.id }), 401);
  await refused('read(Patient)', () => gp.read({ resourceType: 'Patient', id: 'p1' }), 404);
  await refused('delete(ServiceRequest)', () => gp.delete({ resourceType: 'ServiceRequest', id: sr.id }), 405);
  await refused('create(ServiceRequest) with status "bogus"', () => gp.create({ resourceType: 'ServiceRequest',
    body: { ...body, identifier: [{ system: 'https://gp.example/referrals', value: 'GP-bogus' }], status: 'bogus' } }), 422,
  'ServiceRequest.status');
  await refused('create(ServiceRequest) with intent 7', () => gp.create({ resourceType: 'ServiceRequest',
    body: { ...body, identifier: [{ system: 'https://gp.example/referrals', value: 'GP-seven' }], intent: 7 } }), 400,
  'ServiceRequest.intent');
} catch (e) {
  fail('round trip', `${e.message} ${JSON.stringify(e.response?.data ?? '').slice(0, 300)}`);
}
process.exit(failures.length ? 1 : 0);
