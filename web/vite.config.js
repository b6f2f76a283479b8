// The web UI (Vue 3 + Element Plus), built into web/dist and served by FastAPI at / (api/web.py).
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

export default defineConfig({
  plugins: [vue()],
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      output: {
        manualChunks(id) {
          if (id.includes('node_modules/echarts') || id.includes('node_modules/zrender')) return 'echarts'
          if (id.includes('node_modules/element-plus') || id.includes('node_modules/@element-plus')) return 'element-plus'
          if (id.includes('node_modules/')) return 'vendor'
        },
      },
    },
  },
  // `npx vite` serves the UI and hands every API path to a service on :8000
  server: { proxy: { '^/(?!$|src/|@|node_modules/|index\\.html).+': 'http://127.0.0.1:8000' } },
})
