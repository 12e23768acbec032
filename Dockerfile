# Multi-stage build: a static binary on a distroless, non-root base image.
# Build:  docker build -t ombc-cds .
# Run:    docker run -p 8080:8080 -v ombc-data:/home/nonroot/data ombc-cds --addr :8080 --base-url https://cds.example.org --trust-file /config/trust.json
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# CGO_ENABLED=0: the embedded SQLite driver is pure Go, so the binary is static.
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/ombc-cds ./cmd/ombc-cds

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/ombc-cds /ombc-cds
# The embedded SQLite database lives in the non-root user's home, which that
# user owns; mount a volume there to keep feedback across restarts.
ENV OMBC_DATA_DIR=/home/nonroot/data OMBC_ADDR=:8080
USER nonroot:nonroot
EXPOSE 8080
ENTRYPOINT ["/ombc-cds"]
CMD ["serve"]
