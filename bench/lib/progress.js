// One progress line while a benchmark runs: rewritten in place on a terminal, a line per
// step otherwise (CI logs), with the step count and the time spent so far.
export function createProgress(out = process.stdout) {
  const t0 = Date.now();
  let phase = '';
  let total = 0;
  let done = 0;
  const write = (text) => {
    const line = `[${Math.round((Date.now() - t0) / 1000)} s] ${text}`;
    if (out.isTTY) out.write(`\r\x1b[K${line}`);
    else out.write(`${line}\n`);
  };
  return {
    line: write,
    start(name, steps) {
      phase = name;
      total = steps;
      done = 0;
    },
    step(what) {
      done++;
      write(`${phase} ${done}/${total}: ${what}`);
    },
    done() {
      if (out.isTTY) out.write('\n');
    },
  };
}
