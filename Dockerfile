# syntax=docker/dockerfile:1

# The image runs 'taiwa serve' on an external PostgreSQL with pgvector
# (DATABASE_URL); compose.yaml starts one. It has no Node.js, so the embedded
# database is not available: without DATABASE_URL the server stops at once
# and says so.

# go.mod's Go line: the tag follows its newest patch release, and the image
# will not build with a Go older than go.mod asks for (GOTOOLCHAIN=local).
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
# Static (no cgo) so that it runs on an image with no C library.
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
	CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o /out/taiwa ./cmd/taiwa && \
	mkdir /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/taiwa /usr/local/bin/taiwa
# The data directory holds the pseudonym key when TAIWA_PSEUDONYM_KEY is not
# set: owned by the server's user, so that a volume mounted there is too.
COPY --from=build --chown=65532:65532 /out/data /data
# Listen on every interface: the default 127.0.0.1 is unreachable from
# outside the container.
ENV TAIWA_ADDR=:8080 TAIWA_DATA_DIR=/data
# A numeric user, so that Kubernetes' runAsNonRoot can verify it.
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/taiwa"]
CMD ["serve"]
