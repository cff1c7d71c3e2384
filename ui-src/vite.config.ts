import { defineConfig, loadEnv } from "vite";
import react from "@vitejs/plugin-react";

// `npm run dev` forwards /api to a running NoETL server when NOETL_DEV_API names it
// (e.g. NOETL_DEV_API=http://127.0.0.1:8080); without it the UI shows its error state.
export default defineConfig(({ mode }) => {
  const devApi = loadEnv(mode, ".", "NOETL_").NOETL_DEV_API;
  return {
    plugins: [react()],
    server: devApi ? { proxy: { "/api": { target: devApi, changeOrigin: true } } } : {},
  };
});
