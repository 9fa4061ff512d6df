"""Compile a gettext .po file to .mo, for machines without GNU msgfmt (make run needs no root).

Usage: python scripts/msgfmt.py IN.po OUT.mo
Handles msgctxt, plurals and multi-line strings; fuzzy entries are left out, as msgfmt does."""

import ast
import struct
import sys


def parse(path: str) -> dict[bytes, bytes]:
    messages: dict[bytes, bytes] = {}
    entry: dict[str, list[str]] = {}
    key = ""
    fuzzy = False

    def flush() -> None:
        nonlocal entry, fuzzy
        if "msgid" in entry and not fuzzy:
            msgid = "".join(entry["msgid"])
            if "msgctxt" in entry:
                msgid = "".join(entry["msgctxt"]) + "\x04" + msgid
            if "msgid_plural" in entry:
                msgid += "\x00" + "".join(entry["msgid_plural"])
                forms = sorted(k for k in entry if k.startswith("msgstr["))
                msgstr = "\x00".join("".join(entry[k]) for k in forms)
            else:
                msgstr = "".join(entry.get("msgstr", []))
            if msgstr.replace("\x00", "") or msgid == "":
                messages[msgid.encode()] = msgstr.encode()
        entry, fuzzy = {}, False

    with open(path, encoding="utf-8") as handle:
        for raw in handle:
            line = raw.strip()
            if line.startswith("#,") and "fuzzy" in line:
                fuzzy = True
            if not line or line.startswith("#"):
                if not line:
                    flush()
                continue
            if line.startswith('"'):
                entry[key].append(ast.literal_eval(line))
                continue
            keyword, _, rest = line.partition(" ")
            if keyword in ("msgid", "msgctxt") and "msgstr" in "".join(entry):
                flush()
            key = keyword
            entry[key] = [ast.literal_eval(rest)]
    flush()
    return messages


def write(messages: dict[bytes, bytes], path: str) -> None:
    keys = sorted(messages)
    ids = strs = b""
    offsets = []
    for key in keys:
        offsets.append((len(ids), len(key), len(strs), len(messages[key])))
        ids += key + b"\x00"
        strs += messages[key] + b"\x00"
    header_size = 7 * 4
    table_size = len(keys) * 8
    ids_start = header_size + 2 * table_size
    strs_start = ids_start + len(ids)
    key_table = b"".join(
        struct.pack("<2I", length, ids_start + start) for start, length, _, _ in offsets
    )
    value_table = b"".join(
        struct.pack("<2I", length, strs_start + start) for _, _, start, length in offsets
    )
    header = struct.pack(
        "<7I", 0x950412DE, 0, len(keys), header_size, header_size + table_size, 0, 0
    )
    with open(path, "wb") as handle:
        handle.write(header + key_table + value_table + ids + strs)


if __name__ == "__main__":
    write(parse(sys.argv[1]), sys.argv[2])
