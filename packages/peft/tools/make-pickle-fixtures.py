"""Regenerates test/fixtures/pickle/*.bin: small torch.save-shaped zip archives whose data.pkl a safe loader must
REFUSE (a non-tensor global that would run code on a plain pickle.load). Needs only the Python standard library.
Nothing here is ever unpickled by Python: the pickles are written as raw opcode bytes.
Run: python3 packages/peft/tools/make-pickle-fixtures.py
"""
import io
import os
import pickletools
import struct
import zipfile

OUT = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "pickle")


def zip_archive(pkl: bytes, extra: dict) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as z:
        z.writestr("archive/data.pkl", pkl)
        for name, data in extra.items():
            z.writestr(name, data)
        z.writestr("archive/version", b"3\n")
    return buf.getvalue()


def evil_reduce(module: str, name: str, arg: str) -> bytes:
    # PROTO 2; GLOBAL module name; (arg,) ; REDUCE ; STOP  -- what pickle.dumps of an object whose __reduce__
    # returns (module.name, (arg,)) produces.
    s = arg.encode()
    return (
        b"\x80\x02"
        + b"c" + module.encode() + b"\n" + name.encode() + b"\n"
        + b"X" + struct.pack("<I", len(s)) + s
        + b"\x85"  # TUPLE1
        + b"R"  # REDUCE
        + b"."
    )


def tensor_dict_then_evil() -> bytes:
    # A valid-looking state dict entry followed by a builtins.eval call stored as a second value.
    p = bytearray(b"\x80\x02}q\x00(X\x01\x00\x00\x00wq\x01")
    p += b"ctorch._utils\n_rebuild_tensor_v2\nq\x02"
    p += b"((X\x07\x00\x00\x00storageq\x03ctorch\nFloatStorage\nq\x04X\x01\x00\x00\x000q\x05X\x03\x00\x00\x00cpuq\x06K\x02tq\x07Q"
    p += b"K\x00K\x02\x85K\x01\x85\x89ccollections\nOrderedDict\n)Rtq\x08R"
    p += b"X\x01\x00\x00\x00e"
    p += b"cbuiltins\neval\nX\x03\x00\x00\x001+1\x85R"
    p += b"u."
    return bytes(p)


def main() -> None:
    os.makedirs(OUT, exist_ok=True)
    cases = {
        "evil-os-system.bin": zip_archive(evil_reduce("os", "system", "echo pwned"), {}),
        "evil-builtins-eval.bin": zip_archive(tensor_dict_then_evil(), {"archive/data/0": struct.pack("<2f", 1.5, -2.0)}),
    }
    for name, data in cases.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
        pkl = zipfile.ZipFile(io.BytesIO(data)).read("archive/data.pkl")
        pickletools.dis(pkl, out=io.StringIO())  # validates the opcode stream without executing it
        print(name, len(data), "bytes")
    # A benign reference for the parser itself: {"w": tensor([1.5, -2.0])} in torch's layout.
    ok = zip_archive(tensor_dict_then_evil().replace(b"X\x01\x00\x00\x00ecbuiltins\neval\nX\x03\x00\x00\x001+1\x85R", b""), {"archive/data/0": struct.pack("<2f", 1.5, -2.0)})
    with open(os.path.join(OUT, "ok-small.bin"), "wb") as f:
        f.write(ok)
    pickletools.dis(zipfile.ZipFile(io.BytesIO(ok)).read("archive/data.pkl"), out=io.StringIO())
    print("ok-small.bin", len(ok), "bytes")


if __name__ == "__main__":
    main()
