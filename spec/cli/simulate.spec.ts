import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { simulateCommand } from '../../cli/simulate.ts';
import { UsageError } from '../../cli/args.ts';

const run = async (argv: string[]) => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await simulateCommand(argv, { out: (l) => void out.push(l), err: (l) => void err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
};

test('bad flags are usage errors that name the problem', async () => {
  const cases: [string[], RegExp][] = [
    [['--faults', 'delay,meteor'], /--faults: unknown fault kind "meteor"/],
    [['--duration', '30s'], /at least 1m/],
    [['--duration', 'soon'], /--duration must be a duration/],
    [['--seeds', '5..2'], /A\.\.B with A <= B/],
    [['--seeds', '1..2', '--seed', '3'], /give neither --seed nor --record/],
    [['--plant', 'nothing'], /--plant must be one of skip-requeue, skip-delete-resync/],
    [['--scenario', '/nonexistent/dir'], /--scenario: scenario directory \/nonexistent\/dir does not exist/],
    [['extra'], /unexpected argument "extra"/],
  ];
  for (const [argv, msg] of cases) {
    try {
      await run(argv);
      assert.unreachable(`${argv.join(' ')} was accepted`);
    } catch (err) {
      assert.instance(err, UsageError);
      assert.match((err as Error).message, msg);
    }
  }
});

test('a quiet run prints ok and exits 0; --seeds prints one line per seed and a summary', async () => {
  const one = await run(['--seed', '3', '--duration', '2m', '--nodes', '2', '--faults', 'none']);
  assert.is(one.code, 0);
  assert.match(one.out, /^seed 3: ok after 0h02m00s of virtual time in [\d.]+ s \(\d+× real time\)/);
  const many = await run(['--seeds', '1..2', '--duration', '2m', '--nodes', '2', '--faults', 'none']);
  assert.is(many.code, 0);
  assert.match(many.out, /seed 1: ok[\s\S]*seed 2: ok[\s\S]*2 seed\(s\): 2 ok, 0 violation\(s\); 0h04m00s of virtual time/);
});

test.run();
