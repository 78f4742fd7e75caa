/**
 * bpmnlint for one model from the server (drafts of the modeler): the same rules (.bpmnlintrc,
 * camunda-platform-7-24), engine checks, German messages and moddle adjustments as `npm run lint`, by
 * running scripts/lint-bpmn.ts --stdin --json. A child process because bpmnlint loads ESM dependencies
 * through Node's require(esm), which neither Node 20 without tsx's hooks nor jest's module registry can
 * do in-process.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ROOT } from '../config';

export interface LintFinding {
  rule: string;
  elementId: string;
  severity: 'error' | 'warning';
  message: string;
  detail: string;
}

const TSX = path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const SCRIPT = path.join(ROOT, 'scripts', 'lint-bpmn.ts');

export function lintModel(xml: string, timeoutMs = 60_000): Promise<LintFinding[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TSX, SCRIPT, '--stdin', '--json'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', () => {
      clearTimeout(timer);
      try {
        const parsed = JSON.parse(out) as { findings: Array<LintFinding & { file: string }> };
        resolve(parsed.findings.map(({ rule, elementId, severity, message, detail }) => ({ rule, elementId, severity, message, detail })));
      } catch {
        reject(new Error(`BPMN-Prüfung fehlgeschlagen: ${err.slice(0, 500) || out.slice(0, 500)}`));
      }
    });
    child.stdin.end(xml);
  });
}
