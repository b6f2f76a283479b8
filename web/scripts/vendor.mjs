// Copies Swagger UI and ReDoc into dist/vendor, so /docs and /redoc work without the internet.
import { cpSync, mkdirSync } from 'node:fs'

const out = 'dist/vendor'
mkdirSync(`${out}/swagger-ui`, { recursive: true })
mkdirSync(`${out}/redoc`, { recursive: true })
for (const f of ['swagger-ui-bundle.js', 'swagger-ui.css', 'favicon-32x32.png', 'LICENSE']) {
  cpSync(`node_modules/swagger-ui-dist/${f}`, `${out}/swagger-ui/${f}`)
}
cpSync('node_modules/redoc/bundles/redoc.standalone.js', `${out}/redoc/redoc.standalone.js`)
cpSync('node_modules/redoc/LICENSE', `${out}/redoc/LICENSE`)
