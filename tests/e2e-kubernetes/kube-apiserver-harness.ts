import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * An envtest-style control plane for tests: Debian's etcd on a temp dir and a
 * kube-apiserver built by tools/kube-apiserver/get.sh, both on loopback
 * ports, with a static admin token and AlwaysAllow authorization. Nothing
 * else (no controller manager, no scheduler, no nodes).
 */
export const kubeVersion = process.env.KUBE_VERSION ?? '1.36.3';
export const getScript = 'tools/kube-apiserver/get.sh';

export function apiServerBinary(): string | undefined {
  const explicit = process.env.KUBE_APISERVER_BIN;
  if (explicit) return existsSync(explicit) ? explicit : undefined;
  const cache = process.env.ATTACHE_CACHE ?? join(homedir(), '.cache', 'attache');
  const bin = join(cache, 'kube-apiserver', kubeVersion, 'kube-apiserver');
  return existsSync(bin) ? bin : undefined;
}

export function etcdBinary(): string | undefined {
  const explicit = process.env.ETCD_BIN;
  if (explicit) return existsSync(explicit) ? explicit : undefined;
  const found = spawnSync('sh', ['-c', 'command -v etcd'], { encoding: 'utf8' }).stdout.trim();
  return found || (existsSync('/usr/bin/etcd') ? '/usr/bin/etcd' : undefined);
}

/** Why the real-apiserver suite cannot run here, or undefined when it can. */
export function missingBinaries(): string | undefined {
  const missing = [
    apiServerBinary() ? undefined : `kube-apiserver ${kubeVersion}`,
    etcdBinary() ? undefined : 'etcd',
  ].filter(Boolean);
  return missing.length
    ? `${missing.join(' and ')} not found: run ${getScript} (builds kube-apiserver into ~/.cache/attache and installs etcd-server)`
    : undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export class RealControlPlane {
  readonly token = 'attache-e2e-admin-token';
  #dir = '';
  #etcd: ChildProcess | undefined;
  #apiserver: ChildProcess | undefined;
  #etcdPort = 0;
  #apiPort = 0;
  #log: string[] = [];

  get url(): string {
    return `https://127.0.0.1:${this.#apiPort}`;
  }

  /** The last lines the processes printed (for failure messages). */
  get recentLog(): string {
    return this.#log.slice(-40).join('');
  }

  kubeconfig(): string {
    return [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: e2e',
      '  cluster:',
      `    server: ${this.url}`,
      // The serving certificate is self-signed by kube-apiserver (--cert-dir).
      '    insecure-skip-tls-verify: true',
      'users:',
      '- name: admin',
      '  user:',
      `    token: ${this.token}`,
      'contexts:',
      '- name: e2e',
      '  context: { cluster: e2e, user: admin }',
      'current-context: e2e',
      '',
    ].join('\n');
  }

  kubeconfigFile(): string {
    const file = join(this.#dir, 'kubeconfig');
    writeFileSync(file, this.kubeconfig());
    return file;
  }

  async start(): Promise<void> {
    const apiserver = apiServerBinary();
    const etcd = etcdBinary();
    if (!apiserver || !etcd) throw new Error(missingBinaries());
    this.#dir = mkdtempSync(join(tmpdir(), 'attache-kube-e2e-'));
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(join(this.#dir, 'sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
    writeFileSync(join(this.#dir, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
    writeFileSync(join(this.#dir, 'tokens.csv'), `${this.token},admin,admin,system:masters\n`);
    this.#etcdPort = await freePort();
    const peerPort = await freePort();
    this.#etcd = this.#spawn(etcd, [
      '--name=e2e',
      `--data-dir=${join(this.#dir, 'etcd')}`,
      `--listen-client-urls=http://127.0.0.1:${this.#etcdPort}`,
      `--advertise-client-urls=http://127.0.0.1:${this.#etcdPort}`,
      `--listen-peer-urls=http://127.0.0.1:${peerPort}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
      `--initial-cluster=e2e=http://127.0.0.1:${peerPort}`,
      '--unsafe-no-fsync',
    ]);
    this.#apiPort = await freePort();
    await this.startApiServer();
  }

  /** Start (or restart, on the same port) kube-apiserver; resolves once /readyz answers ok. */
  async startApiServer(): Promise<void> {
    const apiserver = apiServerBinary();
    if (!apiserver) throw new Error(missingBinaries());
    this.#apiserver = this.#spawn(apiserver, [
      `--etcd-servers=http://127.0.0.1:${this.#etcdPort}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${this.#apiPort}`,
      `--cert-dir=${join(this.#dir, 'certs')}`,
      `--token-auth-file=${join(this.#dir, 'tokens.csv')}`,
      '--authorization-mode=AlwaysAllow',
      `--service-account-key-file=${join(this.#dir, 'sa.pub')}`,
      `--service-account-signing-key-file=${join(this.#dir, 'sa.key')}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      // An address range for ClusterIP allocation only; nothing is routed.
      '--service-cluster-ip-range=10.0.0.0/24',
      '--disable-admission-plugins=ServiceAccount',
      '--allow-privileged=true',
      '--enable-priority-and-fairness=false',
      '--v=0',
    ]);
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      if (this.#apiserver.exitCode !== null)
        throw new Error(`kube-apiserver exited (${this.#apiserver.exitCode}):\n${this.recentLog}`);
      if ((await this.get('/readyz').catch(() => 0)) === 200) return;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`kube-apiserver did not become ready:\n${this.recentLog}`);
  }

  /** Kill kube-apiserver only (etcd keeps the state), as a crash would. */
  async stopApiServer(): Promise<void> {
    await this.#kill(this.#apiserver);
    this.#apiserver = undefined;
  }

  async stop(): Promise<void> {
    await this.#kill(this.#apiserver);
    await this.#kill(this.#etcd);
    if (this.#dir) rmSync(this.#dir, { recursive: true, force: true });
  }

  /** Status code of an authenticated GET (readiness polling). */
  get(path: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = request(
        `${this.url}${path}`,
        { rejectUnauthorized: false, headers: { authorization: `Bearer ${this.token}` } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  #spawn(bin: string, args: string[]): ChildProcess {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer) => {
      this.#log.push(chunk.toString('utf8'));
      if (this.#log.length > 200) this.#log.splice(0, this.#log.length - 200);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    return child;
  }

  async #kill(child: ChildProcess | undefined): Promise<void> {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}
