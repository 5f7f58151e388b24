import { runCli } from './cli';

/** `npm run server -- [--port P] [--data DIR]`: runs `watchfloor-server serve` (or any command). */
process.exitCode = await runCli(process.argv.slice(2));
