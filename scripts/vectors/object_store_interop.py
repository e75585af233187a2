#!/usr/bin/env python3
"""Checks that the artifact store's NATS object-store layout is the one the NATS clients use, both
ways, against a running nats-server with JetStream: an object nats-py puts is read by ActiveSeg, and
an artifact ActiveSeg puts is read (and its digest checked) by nats-py.

    python3 -m venv /tmp/natspy && /tmp/natspy/bin/pip install nats-py
    swift build --product artifact-benchmark
    nats-server -js -p 4333 -sd /tmp/interop-nats &
    /tmp/natspy/bin/python scripts/vectors/object_store_interop.py nats://127.0.0.1:4333 .build/debug/artifact-benchmark

Prints one line per direction and exits non-zero on any difference. The ActiveSeg side is the
`put`/`get` mode of the artifact-benchmark executable (Tests/Benchmarks/ArtifactBenchmark).
"""
import asyncio, base64, hashlib, math, os, subprocess, sys, tempfile, uuid
import nats
from importlib.metadata import version

async def main(url, tool):
    bucket = "interop-" + uuid.uuid4().hex[:8]
    env = dict(os.environ, ACTIVESEG_NATS_URL=url, ACTIVESEG_ARTIFACT_BUCKET=bucket)
    nc = await nats.connect(url)
    js = nc.jetstream()
    store = await js.create_object_store(bucket)
    with tempfile.TemporaryDirectory() as folder:
        # nats-py writes, ActiveSeg reads: the object is named by its SHA-256, as artifacts are.
        data = os.urandom(700_001)
        name = hashlib.sha256(data).hexdigest()
        await store.put(name, data)
        out = os.path.join(folder, "read-by-activeseg.bin")
        subprocess.run([tool, "get", name, out], env=env, check=True)
        assert open(out, "rb").read() == data, "ActiveSeg read other bytes than nats-py put"
        print(f"nats-py {version('nats-py')} put, ActiveSeg read: {len(data)} bytes ok")

        # ActiveSeg writes, nats-py reads and checks the digest against its own SHA-256.
        data = os.urandom(900_003)
        source = os.path.join(folder, "written-by-activeseg.bin")
        open(source, "wb").write(data)
        name = subprocess.run([tool, "put", source], env=env, check=True, capture_output=True, text=True).stdout.strip()
        assert name == hashlib.sha256(data).hexdigest(), f"artifact id {name} is not the SHA-256"
        result = await store.get(name)
        assert result.data == data, "nats-py read other bytes than ActiveSeg put"
        info = result.info
        digest = "SHA-256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).decode()
        assert info.digest == digest, f"digest {info.digest} != {digest}"
        assert info.size == len(data) and info.chunks == math.ceil(len(data) / 131072), info
        assert info.bucket == bucket and len(info.nuid) == 22, info
        print(f"ActiveSeg put, nats-py {version('nats-py')} read: {len(data)} bytes, {info.chunks} chunks, digest ok")
    await js.delete_object_store(bucket)
    await nc.close()

if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "nats://127.0.0.1:4222",
                     sys.argv[2] if len(sys.argv) > 2 else ".build/debug/artifact-benchmark"))
