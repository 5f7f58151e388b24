#!/usr/bin/env node
// Entry of `npx watchfloor-server`: runs the TypeScript CLI through tsx on Node 22+.
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  process.stderr.write(
    `watchfloor-server: Node ${process.versions.node} is too old; Node 22 or newer is needed\n`,
  );
  process.exit(1);
}
const { register } = await import('tsx/esm/api');
register();
const { runCli } = await import('../cli.ts');
process.exitCode = await runCli(process.argv.slice(2));
