import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real systemd notify socket for tests: a unix datagram socket bound at a temporary path,
 * recording every datagram a process sends to it (as systemd's manager would read them).
 * Node has no unix datagram sockets, so the listener is a few lines of Python (Debian's
 * python3, installed by scripts/debian-tools.sh when missing).
 */
const LISTENER = `
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print("bound", flush=True)
while True:
    # recv() takes no ancillary data: the pipe fd of systemd-notify's BARRIER=1 is closed by
    # the kernel as the datagram is read, which is what ends the barrier's wait.
    print(json.dumps(s.recv(65536).decode()), flush=True)
`;

export class NotifySocket {
  readonly path: string;
  /** Every datagram received, in order, each split into its `KEY=value` lines. */
  readonly messages: string[][] = [];
  private readonly dir: string;
  private proc: ChildProcess | null = null;
  private waiters: Array<() => void> = [];

  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'hopgate-notify-'));
    this.path = join(this.dir, 'notify.sock');
  }

  async start(): Promise<void> {
    const proc = spawn('python3', ['-c', LISTENER, this.path], { stdio: ['ignore', 'pipe', 'inherit'] });
    this.proc = proc;
    let buf = '';
    await new Promise<void>((resolve, reject) => {
      proc.on('error', reject);
      proc.on('exit', (code) => reject(new Error(`notify listener exited with ${code}`)));
      proc.stdout!.on('data', (d: Buffer) => {
        buf += d.toString();
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (line === 'bound') resolve();
          else this.received(JSON.parse(line) as string);
        }
      });
    });
  }

  /** The assignments received so far, flattened (`READY=1`, `STATUS=…`, …), barriers left out. */
  assignments(): string[] {
    return this.messages.flat().filter((a) => a !== 'BARRIER=1');
  }

  /** Resolves once an assignment matching `re` has arrived; rejects after `timeoutMs`. */
  async waitFor(re: RegExp, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.assignments().some((a) => re.test(a))) {
      if (Date.now() > deadline) throw new Error(`no ${re} on the notify socket; got ${JSON.stringify(this.assignments())}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }

  stop(): void {
    this.proc?.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }

  private received(datagram: string): void {
    this.messages.push(datagram.split('\n').filter(Boolean));
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
