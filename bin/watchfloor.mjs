#!/usr/bin/env node
// Entry of `npx watchfloor`: runs the TypeScript CLI through tsx on the project's Node 22.
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  process.stderr.write(
    `watchfloor: Node ${process.versions.node} is too old; Node 22 or newer is needed ` +
      "(inside the repo, `npx watchfloor` uses the project's own Node 22)\n",
  );
  process.exit(1);
}
const { register } = await import('tsx/esm/api');
register();
const { runCli } = await import('../main/cli/program.ts');
process.exitCode = await runCli(process.argv.slice(2));
