import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

// The app is served by Tauri from ui/dist; there is no dev server in tests.
export default defineConfig({
  plugins: [svelte()],
  build: {
    // WebKitGTK 2.4x on Linux, WebView2 on Windows, WKWebView on macOS: all support ES2022.
    target: 'es2022',
    // CSS in files, never injected at runtime: Tauri's CSP nonce makes inline styles fail.
    cssCodeSplit: false,
  },
  clearScreen: false,
});
