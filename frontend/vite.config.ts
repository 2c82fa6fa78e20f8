/// <reference types="vitest/config" />
import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";
import { APP_SEGMENTS } from "./src/routes.ts";

/** The gateway answers index.html for these first path segments (client-side routes). */
function appRoutesManifest(): Plugin {
  return {
    name: "app-routes-manifest",
    generateBundle() {
      this.emitFile({
        type: "asset",
        fileName: "app-routes.json",
        source: JSON.stringify(APP_SEGMENTS) + "\n",
      });
    },
  };
}

// The dev server proxies the API to a gateway (`make run`), so the app is same-origin in
// development too; the gateway's CORS default also allows http://localhost:5173.
const gateway = process.env.DESK_GATEWAY_URL ?? "http://127.0.0.1:8000";

export default defineConfig({
  plugins: [react(), appRoutesManifest()],
  build: {
    // No inline polyfill script: the page runs under script-src 'self'.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  server: {
    port: 5173,
    strictPort: true,
    proxy: { "/api": gateway, "/openapi.json": gateway },
  },
  test: {
    environment: "jsdom",
    globals: true,
    include: ["src/**/*.test.{ts,tsx}"],
  },
});
