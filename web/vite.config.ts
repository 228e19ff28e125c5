import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// `npm run dev` serves the app with hot reload and passes the API through to the server
// (`make run`, or API_URL).
const api = process.env.API_URL ?? "http://127.0.0.1:8000";

export default defineConfig({
  plugins: [react()],
  server: {
    proxy: { "/graphql": api, "/forms": api, "/files": api, "/uploads": api, "/exports": api },
  },
  build: { sourcemap: false, chunkSizeWarningLimit: 400 },
});
