# Kuji's api, worker and migrations: one image, the command picks the process (see
# docker-compose.yml). TypeScript runs through tsx, a production dependency, so there is no
# build step and the image runs the same files the tests run.

FROM node:20.20.2-bookworm-slim AS dependencies
WORKDIR /app
# npm 11.16+ reads package.json `allowScripts`, and --strict-allow-scripts fails the install on
# any dependency's install script not reviewed there (Node 20 ships npm 10, which ignores the
# field and runs them all). @swc/core's script checks the native binary the worker's workflow
# bundler loads.
RUN npm install --global --no-audit --no-fund npm@11.19.1
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --strict-allow-scripts --no-audit --no-fund \
  && npm cache clean --force

FROM node:20.20.2-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
# Owned by root and read-only to the `node` user the processes run as.
COPY --from=dependencies /app/node_modules ./node_modules
COPY . .
# The operator console (/console): bundled once here by esbuild, so the image serves it as built.
RUN node_modules/.bin/tsx console/build.ts
USER node
EXPOSE 3000
CMD ["node_modules/.bin/tsx", "api/server.ts"]
