/**
 * Figure modules run the code under test and the HTTP receiver in child processes, so each has a core
 * and an event loop of its own. Children are TypeScript run through tsx and answer requests over IPC.
 */
import { fork, type ChildProcess } from 'node:child_process';

interface Request {
  id: number;
  type: string;
  payload?: unknown;
}
type Reply = { id: number; result: unknown } | { id: number; error: string };

export interface Child {
  process: ChildProcess;
  call<T>(type: string, payload?: unknown): Promise<T>;
  stop(): Promise<void>;
}

/** Starts `script` (a .ts path) with tsx; `stdout: 'ignore'` sends its output to /dev/null. */
export function startChild(
  script: string,
  options: { env?: NodeJS.ProcessEnv; stdout?: 'ignore' | 'inherit'; execArgv?: string[] } = {},
): Child {
  const child = fork(script, [], {
    execArgv: ['--import', 'tsx', ...(options.execArgv ?? [])],
    env: { ...process.env, ...options.env },
    stdio: ['ignore', options.stdout ?? 'ignore', 'inherit', 'ipc'],
  });
  let nextId = 1;
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  child.on('message', (message: Reply) => {
    const waiting = pending.get(message.id);
    if (!waiting) return;
    pending.delete(message.id);
    if ('error' in message) waiting.reject(new Error(message.error));
    else waiting.resolve(message.result);
  });
  child.on('exit', (code) => {
    for (const waiting of pending.values()) waiting.reject(new Error(`${script} exited with code ${code}`));
    pending.clear();
  });
  return {
    process: child,
    call: <T>(type: string, payload?: unknown) =>
      new Promise<T>((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
        child.send({ id, type, payload } satisfies Request);
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill();
      }),
  };
}

/** The child side: answers each request type with its handler's result. */
export function serve(handlers: Record<string, (payload: never) => unknown>): void {
  process.on('message', async (message: Request) => {
    const handle = handlers[message.type];
    try {
      if (!handle) throw new Error(`unknown request ${message.type}`);
      const result = await handle(message.payload as never);
      process.send!({ id: message.id, result } satisfies Reply);
    } catch (error) {
      process.send!({ id: message.id, error: (error as Error).stack ?? String(error) } satisfies Reply);
    }
  });
  process.on('disconnect', () => process.exit(0));
}
