import { defineConfig } from 'drizzle-kit';

/** `npm run db:generate -w server`: the server's PostgreSQL migrations (run on start). */
export default defineConfig({
  dialect: 'postgresql',
  schema: './store/schema.ts',
  out: './store/migrations',
});
