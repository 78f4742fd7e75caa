# The KIM app (API, workers, web app) for docker-compose.yml. The engine and PostgreSQL run as
# their own services; KIM_ENGINE_URL and DATABASE_URL point at them, so no Java is needed here.
FROM node:20.19-bookworm

WORKDIR /app
# NODE_ENV stays unset at build time: npm would leave out the dev dependencies the build needs.

# Dependencies first (cached layer). Dev dependencies are needed: tsx runs the TypeScript sources,
# Vite builds the web app, the Prisma CLI generates the client.
COPY package.json package-lock.json ./
RUN npm install --no-audit --no-fund --loglevel=error

COPY . .
# Installs nothing new (stamp), generates the Prisma client and builds the web app at image build
# time, so the container's start does only the start.
RUN node scripts/bootstrap.cjs setup

EXPOSE 3000
STOPSIGNAL SIGTERM
CMD ["node", "scripts/bootstrap.cjs", "start"]
