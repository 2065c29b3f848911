# The Attaché control-plane image that deploy/03-attache.yaml runs.
#   docker build -t ghcr.io/attache-edge/attache:0.1.0 .
# Then push it where your cluster pulls from and set that name in deploy/03-attache.yaml.
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY . .
RUN npx -y pnpm@12.4.2 install --frozen-lockfile \
 && npx -y pnpm@12.4.2 run build \
 && npx -y pnpm@12.4.2 prune --prod

FROM node:20-bookworm-slim
WORKDIR /app
# The whole workspace: packages resolve each other through node_modules links,
# and @attache/envoy loads its descriptor set from packages/envoy/gen at start.
COPY --from=build /src /app
USER node
EXPOSE 18000 8877
ENTRYPOINT ["node", "/app/apps/attache/dist/main.js"]
CMD ["serve", "--config", "/etc/attache/attache.yaml"]
