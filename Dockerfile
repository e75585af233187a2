# One image for every ActiveSeg service and the `activeseg` command line. compose.yaml picks the
# executable of each container with its `command`, so the image fixes no entrypoint.
#
#   docker build -t activeseg:local .
#   docker run --rm activeseg:local activeseg --help
#
# SWIFT_IMAGE and RUNTIME_IMAGE name the base images (by default the official ones);
# scripts/compose-engine passes local ones on a machine that reaches no image registry.

ARG SWIFT_IMAGE=swift:6.3-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

FROM ${SWIFT_IMAGE} AS build
RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get update -qq \
    && apt-get install -y -qq --no-install-recommends \
        libnats-dev libpq-dev libssl-dev libopenblas-dev libdnnl-dev libnifti2-dev zlib1g-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src

# Dependencies first, so a source change does not fetch them again (Package.resolved is used when
# the build context has one).
COPY Package.* ./
RUN swift package resolve

COPY . .
# The Swift runtime and Foundation are linked statically, so the runtime stage needs only the C
# libraries. Every executable named activeseg* is built and installed: the services' products and the
# command line's executable target, whose `activeseg ping` is each service's health check in
# compose.yaml. They are built product by product: a plain `swift build` would also build the test
# support library, which imports Testing, a module the static runtime does not have.
RUN products="$(sed -n 's/.*\.executable\(Target\)\{0,1\}(name: "\(activeseg[^"]*\)".*/\2/p' Package.swift)" \
    && test -n "$products" \
    && for product in $products; do \
        swift build -c release --static-swift-stdlib --product "$product" || exit 1; \
    done \
    && bin="$(swift build -c release --static-swift-stdlib --show-bin-path)" \
    && mkdir /staging \
    && find "$bin" -maxdepth 1 -type f -perm -u+x -name 'activeseg*' -exec install -m 0755 {} /staging/ \; \
    && ls /staging

FROM ${RUNTIME_IMAGE}
# The shared libraries the executables link (ldd): NATS, libpq, libcrypto (SHA-256), OpenBLAS, NIfTI-2 with znzlib and
# zlib, and the C++ runtime the Swift runtime uses.
RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get update -qq \
    && apt-get install -y -qq --no-install-recommends \
        libnats3.4 libpq5 libssl3 libopenblas0-pthread libdnnl2 libgomp1 libnifti2-2 libznz3 zlib1g libstdc++6 \
    && rm -rf /var/lib/apt/lists/*

# The folders exist in the image, owned by the service user, so that a named volume mounted on
# them starts out writable by it.
RUN useradd --system --user-group --uid 10001 --home-dir /var/lib/activeseg \
        --shell /usr/sbin/nologin activeseg \
    && install -d -o activeseg -g activeseg \
        /var/lib/activeseg /var/lib/activeseg/artifacts /var/lib/activeseg/datasets

COPY --from=build /staging/ /usr/local/bin/

USER activeseg:activeseg
WORKDIR /var/lib/activeseg
ENV ACTIVESEG_ARTIFACT_ROOT=/var/lib/activeseg/artifacts
CMD ["activeseg", "--help"]
