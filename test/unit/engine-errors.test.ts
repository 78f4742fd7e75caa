/**
 * How failed answers of Operaton become the typed errors of the port. The rows are answers observed
 * on Operaton 1.0.3 (status, path, exception type, message); see server/engine/operaton.ts.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { classify, createOperatonEngine } from '../../server/engine/operaton';
import { EngineBadRequest, EngineConcurrentUpdate, EngineConflict, EngineNoCorrelation, EngineNotFound, EngineUnavailable } from '../../server/engine/port';

test.each([
  // by status
  [0, '/process-instance/x', undefined, undefined, EngineUnavailable],
  [503, '/process-instance/x', undefined, undefined, EngineUnavailable],
  [500, '/task/x/complete', 'ProcessEngineException', 'Something broke', EngineUnavailable],
  [404, '/process-definition/key/nope/tenant-id/duisburg/start', 'RestException', 'No matching process definition with key: nope and tenant-id: duisburg', EngineNotFound],
  [404, '/process-instance/nope', 'InvalidRequestException', "No process instance found for id 'nope': processInstance is null", EngineNotFound],
  [409, '/task/x/claim', undefined, undefined, EngineConflict],
  [400, '/process-definition/key/k/tenant-id/t/start', 'InvalidRequestException', "Cannot instantiate process definition k:1:x: Unsupported value type 'Foo'", EngineBadRequest],
  [401, '/version', undefined, undefined, EngineBadRequest],
  // by type
  [500, '/task/nope/claim', 'NullValueException', 'Cannot find task with id nope: task is null', EngineNotFound],
  [400, '/task/nope/unclaim', 'NotFoundException', 'Cannot find task with id nope: task is null', EngineNotFound],
  [500, '/task/x/claim', 'TaskAlreadyClaimedException', "Task 'x' is already claimed by someone else.", EngineConflict],
  [500, '/external-task/x/complete', 'OptimisticLockingException', 'ENGINE-03005 Execution of UPDATE failed', EngineConcurrentUpdate],
  // by message (no telling type)
  [400, '/message', 'RestException', "org.operaton.bpm.engine.MismatchingMessageCorrelationException: Cannot correlate message 'm': No process definition or execution matches the parameters", EngineNoCorrelation],
  [400, '/message', 'RestException', "org.operaton.bpm.engine.MismatchingMessageCorrelationException: Cannot correlate message 'm': 2 executions match the correlation keys", EngineBadRequest],
  [500, '/task/nope/complete', 'RestException', 'Cannot complete task nope: Cannot find task with id nope: task is null', EngineNotFound],
  [500, '/job/nope/retries', 'InvalidRequestException', "ENGINE-13053 No job found with id 'nope'.'", EngineNotFound],
  [500, '/task/nope/deployed-form', 'NullPointerException', 'Cannot invoke "TaskEntity.getId()" because "task" is null', EngineNotFound],
  [400, '/external-task/x/complete', 'RestException', "External Task x cannot be completed by worker 'a'. It is locked by worker 'b'.", EngineConflict],
  [500, '/task/x/complete', 'RestException', "Cannot complete task x: ENGINE-03005 Execution of 'UPDATE VariableInstanceEntity[v1]' failed. Entity was updated by another transaction concurrently.", EngineConcurrentUpdate],
  [400, '/migration/generate', 'InvalidRequestException', "ENGINE-23008 Source process definition with id 'nope' does not exist", EngineNotFound],
])('HTTP %i %s %s → %p', (status, path, type, message, expected) => {
  expect(classify(status as number, path as string, type as string | undefined, message as string | undefined)).toBe(expected);
});

describe('the client against a stub server', () => {
  let server: http.Server;
  let base = '';
  const seen: Array<{ method: string; url: string; auth?: string; body: string }> = [];
  let answer: (req: { method: string; url: string }) => { status: number; body: string } = () => ({ status: 204, body: '' });

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, body });
        const a = answer({ method: req.method!, url: req.url! });
        res.writeHead(a.status, { 'Content-Type': 'application/json' });
        res.end(a.body);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/engine-rest/engine/kim-x`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => (seen.length = 0));

  const engine = () => createOperatonEngine({ url: `${base}/`, username: 'kim', password: 'geheim', timeoutMs: 2000 });

  test('paths under the named engine, basic auth, typed variables in the body', async () => {
    answer = () => ({ status: 200, body: JSON.stringify({ id: 'pi1', definitionId: 'p:3:abc', definitionKey: 'p', tenantId: 't' }) });
    const r = await engine().runtime.start('p', 't', { caseId: 'c1', n: 2, at: new Date('2026-01-01T00:00:00Z') }, 'bk');
    expect(r).toEqual({ processInstanceKey: 'pi1', processDefinitionKey: 'p:3:abc', bpmnProcessId: 'p', version: 3, tenantId: 't' });
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/engine-rest/engine/kim-x/process-definition/key/p/tenant-id/t/start', auth: `Basic ${Buffer.from('kim:geheim').toString('base64')}` });
    expect(JSON.parse(seen[0].body)).toEqual({
      variables: { caseId: { value: 'c1', type: 'String' }, n: { value: 2, type: 'Integer' }, at: { value: '2026-01-01T00:00:00.000+0000', type: 'Date' } },
      businessKey: 'bk',
      withVariablesInReturn: false,
    });
  });

  test('error messages carry method, path and status – not the engine text, not query values', async () => {
    answer = () => ({ status: 400, body: JSON.stringify({ type: 'InvalidRequestException', message: "Cannot convert value 'Erika Mustermann' of type 'Integer'" }) });
    const e = await engine()
      .runtime.start('p', 't', { name: 'Erika Mustermann' })
      .catch((x) => x);
    expect(e).toBeInstanceOf(EngineBadRequest);
    expect(e).toMatchObject({ status: 400, type: 'InvalidRequestException' });
    expect(e.message).toContain('POST /process-definition/key/p/tenant-id/t/start');
    expect(e.message).not.toContain('Erika');

    answer = () => ({ status: 500, body: JSON.stringify({ type: 'ProcessEngineException', message: 'Erika' }) });
    const g = await engine()
      .tasks.openTaskIds({ processInstanceKey: 'Erika' })
      .catch((x) => x);
    expect(g).toBeInstanceOf(EngineUnavailable);
    expect(g.message).toContain('GET /task');
    expect(g.message).not.toContain('Erika');
  });

  test('cancel repeats after an optimistic-locking conflict (a worker finished a step meanwhile) and gives up after a few', async () => {
    let conflicts = 2;
    answer = () => (conflicts-- > 0 ? { status: 500, body: JSON.stringify({ type: 'OptimisticLockingException', message: 'x' }) } : { status: 204, body: '' });
    await expect(engine().runtime.cancel('pi1')).resolves.toBeUndefined();
    expect(seen.filter((r) => r.method === 'DELETE')).toHaveLength(3);

    seen.length = 0;
    answer = () => ({ status: 500, body: JSON.stringify({ type: 'OptimisticLockingException', message: 'x' }) });
    await expect(engine().runtime.cancel('pi1')).rejects.toBeInstanceOf(EngineConflict);
    expect(seen).toHaveLength(5);
  });

  test('a user task completion repeats after a concurrent update by a worker (rolled back whole) and gives up after five tries', async () => {
    const busy = { status: 500, body: JSON.stringify({ type: 'RestException', message: 'Cannot complete task t1: ENGINE-03005 Execution of UPDATE failed. Entity was updated by another transaction concurrently.' }) };
    let conflicts = 2;
    answer = () => (conflicts-- > 0 ? busy : { status: 204, body: '' });
    await expect(engine().tasks.complete('t1', { ok: true })).resolves.toBeUndefined();
    expect(seen.filter((r) => r.method === 'POST' && r.url.endsWith('/task/t1/complete'))).toHaveLength(3);

    seen.length = 0;
    answer = () => busy;
    await expect(engine().tasks.complete('t1', { ok: true })).rejects.toBeInstanceOf(EngineConcurrentUpdate);
    expect(seen).toHaveLength(5);

    // Someone else's claim is no concurrent update: answered at once.
    seen.length = 0;
    answer = () => ({ status: 500, body: JSON.stringify({ type: 'TaskAlreadyClaimedException', message: "Task 't1' is already claimed by someone else." }) });
    const e = await engine().tasks.complete('t1', {}).catch((x) => x);
    expect(e).toBeInstanceOf(EngineConflict);
    expect(e).not.toBeInstanceOf(EngineConcurrentUpdate);
    expect(seen).toHaveLength(1);
  });

  test('findInstances sends the value in the body, never in the URL', async () => {
    answer = () => ({ status: 200, body: JSON.stringify([{ id: 'pi1' }]) });
    expect(await engine().runtime.findInstances('t', 'caseId', 'a_b,c')).toEqual(['pi1']);
    expect(seen[0].url).toBe('/engine-rest/engine/kim-x/process-instance');
    expect(JSON.parse(seen[0].body)).toEqual({ tenantIdIn: ['t'], variables: [{ name: 'caseId', operator: 'eq', value: 'a_b,c' }] });
  });

  test('a non-JSON 502 is EngineUnavailable; a rejected deployment shows the model errors', async () => {
    answer = () => ({ status: 502, body: '<html>Bad Gateway</html>' });
    await expect(engine().watch.heatmap('d')).rejects.toBeInstanceOf(EngineUnavailable);

    answer = (r) =>
      r.method === 'GET'
        ? { status: 200, body: '[]' }
        : { status: 400, body: JSON.stringify({ type: 'ParseException', message: 'ENGINE-01009 Error while parsing process', details: { 'a.bpmn': { errors: [{ message: 'Invalid reference', mainElementId: 'Flow_1' }] } } }) };
    const e = await engine()
      .deployer.deploy('t', 'n', [{ name: 'a.bpmn', content: Buffer.from('<x/>') }])
      .catch((x) => x);
    expect(e).toBeInstanceOf(EngineBadRequest);
    expect(e.message).toContain('a.bpmn (Flow_1): Invalid reference');
  });

  test('an answer cut off midway is EngineUnavailable; the next call on a fresh connection works', async () => {
    let cut = true;
    const flaky = http.createServer((req, res) => {
      if (cut) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
        res.write('{"id":');
        setImmediate(() => req.socket.destroy());
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"id":"x","ended":true}');
    });
    await new Promise<void>((r) => flaky.listen(0, '127.0.0.1', r));
    const e = createOperatonEngine({ url: `http://127.0.0.1:${(flaky.address() as AddressInfo).port}/engine-rest` });
    const err = await e.runtime.isRunning('x').catch((x) => x);
    expect(err).toBeInstanceOf(EngineUnavailable);
    expect(err.message).toMatch(/nicht erreichbar/);
    cut = false;
    await expect(e.runtime.isRunning('x')).resolves.toBe(false);
    flaky.closeAllConnections();
    await new Promise<void>((r) => flaky.close(() => r()));
  });

  test('a timeout is EngineUnavailable with status 0', async () => {
    answer = () => ({ status: 200, body: '[]' });
    const slow = http.createServer(() => undefined);
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/engine-rest`;
    const e = await createOperatonEngine({ url, timeoutMs: 200 })
      .runtime.isRunning('x')
      .catch((x) => x);
    expect(e).toBeInstanceOf(EngineUnavailable);
    expect(e.status).toBe(0);
    expect(e.message).toMatch(/Zeitüberschreitung/);
    slow.closeAllConnections();
    await new Promise<void>((r) => slow.close(() => r()));
  });
});
