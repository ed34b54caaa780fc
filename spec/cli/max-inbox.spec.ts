import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { inboxLimitFlag, openBus } from '../../cli/bus-flags.ts';
import { UsageError } from '../../cli/args.ts';

test('--max-inbox: a positive integer bounds every actor\'s inbox of the bus `up` and `node` open', async () => {
  assert.is(inboxLimitFlag({}), undefined);
  assert.is(inboxLimitFlag({ 'max-inbox': '500' }), 500);
  for (const v of ['0', '-1', '1.5', 'many', '']) {
    assert.throws(() => inboxLimitFlag({ 'max-inbox': v }), (e: unknown) => e instanceof UsageError && (e as Error).message === `--max-inbox must be a positive integer, got "${v}"`);
  }
  const { bus } = await openBus({ 'max-inbox': '1' }, 'control-plane');
  try {
    const held: unknown[] = [];
    bus.register('scheduler', (env) => held.push(env));
    const p = bus.register('controller.x', () => {});
    void p.request('scheduler', 'sys.ping', { n: 1 });
    const second = await p.request('scheduler', 'sys.ping', { n: 2 });
    assert.equal(second.ok ? 0 : second.status.code, 429);
    assert.is(held.length, 1);
  } finally {
    await bus.close();
  }
});

test.run();
