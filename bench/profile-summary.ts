// Summarises a V8 CPU profile written by `npm run bench -- --profile` (.cache/bench/profiles):
// self time by function and inclusive time by package.
//   node node_modules/ts-node/dist/bin.js --swc -r tsconfig-paths/register bench/profile-summary.ts <file.cpuprofile> [top]
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: profile-summary.ts <file.cpuprofile> [top]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
const top = Number(topArg ?? 30);
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const selfTime = new Map<number, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  selfTime.set(id, (selfTime.get(id) ?? 0) + dt);
  total += dt;
});
const label = (n: ProfileNode) => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber}`;
const bucket = (n: ProfileNode) => /node_modules\/((@[^/]+\/)?[^/]+)/.exec(n.callFrame.url)?.[1] ?? (n.callFrame.url.endsWith('main.js') ? '(registry bundle)' : n.callFrame.url || n.callFrame.functionName);
const bySelf = new Map<string, number>();
const byPackage = new Map<string, number>();
for (const [id, time] of selfTime) {
  const node = byId.get(id)!;
  bySelf.set(label(node), (bySelf.get(label(node)) ?? 0) + time);
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const key = bucket(byId.get(cur)!);
    if (!seen.has(key)) byPackage.set(key, (byPackage.get(key) ?? 0) + time);
    seen.add(key);
  }
}
const print = (title: string, map: Map<string, number>) => {
  console.log(title);
  for (const [key, time] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${(time / 1000).toFixed(0).padStart(8)} ms ${((100 * time) / total).toFixed(1).padStart(5)}%  ${key}`);
  }
};
console.log(`profile ${(total / 1e6).toFixed(1)} s`);
print('— self time', bySelf);
print('— inclusive, by package', byPackage);
