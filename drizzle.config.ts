import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: './main/store/schema/index.ts',
  out: './main/store/migrations',
  casing: undefined,
});
