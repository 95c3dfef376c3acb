// Derives the expected fields of external track vectors with decoders nobody here wrote:
// @lavalink/encoding from npm, and for strings it cannot read, mutf-8 from npm. Cadence's tests then compare their own decoding with these fields,
// so the two must agree without either having been used to write the other's answer.
//
// Run by hand (never in CI; the package is installed into a temporary folder, never vendored):
//
//   tmp=$(mktemp -d) && echo '{"private":true}' > "$tmp/package.json"
//   npm install --prefix "$tmp" --no-save --no-audit --no-fund @lavalink/encoding mutf-8
//   node tests/lavalink/data/decode_with_npm.mjs "$tmp/node_modules"            # check
//   node tests/lavalink/data/decode_with_npm.mjs "$tmp/node_modules" --write    # regenerate
//   node tests/lavalink/data/decode_with_npm.mjs "$tmp/node_modules" --new < lines.txt
//
// The package.json keeps npm from walking up to some parent folder's node_modules and pruning
// what it finds there.
//
// Check mode decodes every vector of external-track-vectors.json whose "fieldsFrom" names
// @lavalink/encoding and reports each field that differs from the file (exit 1 if any);
// --write puts the decoded fields into the file instead. --new reads one encoded track a line and
// prints a vector for each, for a person to add with its "source" and "note".
//
// @lavalink/encoding 0.1.x reads strings with TextDecoder (standard UTF-8), while Lavaplayer writes
// Java's modified UTF-8. The two agree on every character of the Basic Multilingual Plane except
// NUL, so a track is only taken as the package reads it when the package's own encoder gives back
// the identical bytes: that proves no string held a surrogate pair (which TextDecoder turns into
// U+FFFD) and that no byte was left unread. A track that fails this is read again with the
// package's text codec swapped for mutf-8's (a modified UTF-8 codec, strict), and its "fieldsFrom"
// says so. The package knows versions 1 and 2 only; it encodes version 2 only.
import { createRequire } from "node:module";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const [modules, mode] = process.argv.slice(2);
if (!modules) {
  console.error("usage: decode_with_npm.mjs NODE_MODULES [--write | --new]");
  process.exit(2);
}
const require = createRequire(join(modules, "noop.js"));
const encoding = require("@lavalink/encoding");
const text = require("@lavalink/encoding/dist/src/Text");
const packageVersion = require("@lavalink/encoding/package.json").version;
const FIELDS_FROM = `decoded by @lavalink/encoding ${packageVersion} (npm), not by Cadence`;
const standardText = { Decoder: text.Decoder, Encoder: text.Encoder };
let mutf8Text = null;  // loaded on first need, so plain tracks need only the one package
function useText(which) {
  if (which === "mutf-8" && mutf8Text === null) {
    const m = require("mutf-8");
    mutf8Text = {
      Decoder: class { decode(bytes) { return new m.MUtf8Decoder("mutf-8", { fatal: true }).decode(bytes); } },
      Encoder: m.MUtf8Encoder,
      version: JSON.parse(readFileSync(join(modules, "mutf-8", "package.json"), "utf8")).version,
    };
  }
  // DataInput and DataOutput look these up on the module at every call.
  const t = which === "mutf-8" ? mutf8Text : standardText;
  text.Decoder = t.Decoder;
  text.Encoder = t.Encoder;
}
const file = join(dirname(fileURLToPath(import.meta.url)), "external-track-vectors.json");

const hex = (bytes) => Buffer.from(bytes).toString("hex");
const isAscii = (s) => /^[\x00-\x7f]*$/.test(s);

// Returns { info, encoding, canonical?, utf8Hex?, fieldsFrom } or throws with the reason neither
// reading can vouch for it.
function derive(encoded) {
  try {
    useText("standard");
    return { ...deriveWithCurrentText(encoded), fieldsFrom: FIELDS_FROM };
  } catch (first) {
    try {
      useText("mutf-8");
      const out = deriveWithCurrentText(encoded);
      return {
        ...out,
        fieldsFrom: `decoded by @lavalink/encoding ${packageVersion} with its strings read by ` +
          `mutf-8 ${mutf8Text.version} (npm), not by Cadence`,
      };
    } catch (second) {
      throw new Error(`${first.message}; with mutf-8: ${second.message}`);
    } finally {
      useText("standard");
    }
  }
}

function deriveWithCurrentText(encoded) {
  const raw = Buffer.from(encoded, "base64");
  const header = raw.readUInt32BE(0);
  const t = encoding.decode(encoded);
  if (t.source === "http" || t.source === "local") {
    throw new Error("carries probe info: the package reads it, but not as raw bytes");
  }
  // Version 1 cannot be re-encoded by the package; its layout has no uri, so its bytes are only
  // title, author, length, identifier, isStream, source and position: count them.
  let canonical;
  if (t.version === 2) {
    canonical = encoding.encode(t, 2) === encoded;
    if (!canonical) {
      const again = Buffer.from(encoding.encode(t, 2), "base64");
      // Same length and same strings but other flag bits would still be a faithful decoding.
      if (again.length !== raw.length || hex(again.subarray(4)) !== hex(raw.subarray(4))) {
        throw new Error("the package's encoder does not give the same bytes back");
      }
    }
  } else {
    const utf = (s) => 2 + new text.Encoder().encode(s).length;
    const size = 4 + utf(t.title) + utf(t.author) + 8 + utf(t.identifier) + 1 + utf(t.source) + 8;
    if (size !== raw.length || [t.title, t.author, t.identifier].some((s) => s.includes("\ufffd"))) {
      throw new Error("version 1 track whose strings do not account for every byte");
    }
    canonical = true;
  }
  const out = {
    info: {
      title: t.title,
      author: t.author,
      length: Number(t.length),
      identifier: t.identifier,
      isStream: t.isStream,
      uri: t.uri,
      artworkUrl: null,
      isrc: null,
      sourceName: t.source,
      position: Number(t.position),
    },
    encoding: {
      flags: t.flags,
      messageSize: header & 0x3fffffff,
      version: t.version,
      sourceSpecificBytesHex: "",
    },
  };
  if (!canonical) out.canonical = false;
  if (!isAscii(t.title) || !isAscii(t.author)) {
    out.utf8Hex = { title: hex(Buffer.from(t.title, "utf8")), author: hex(Buffer.from(t.author, "utf8")) };
  }
  return out;
}

if (mode === "--new") {
  const lines = readFileSync(0, "utf8").split("\n").filter((l) => l.trim() !== "");
  const vectors = [];
  for (const line of lines) {
    try {
      vectors.push({ encoded: line.trim(), ...derive(line.trim()) });
    } catch (e) {
      console.error(`skipped ${line.trim().slice(0, 24)}...: ${e.message}`);
    }
  }
  console.log(JSON.stringify(vectors, null, 1));
  process.exit(0);
}

const vectors = JSON.parse(readFileSync(file, "utf8"));
let differences = 0;
for (const v of vectors) {
  if (!String(v.fieldsFrom).startsWith("decoded by @lavalink/encoding")) continue;
  const d = derive(v.encoded);
  for (const key of ["info", "encoding", "utf8Hex", "canonical", "fieldsFrom"]) {
    const want = JSON.stringify(d[key]);
    if (want === JSON.stringify(v[key])) continue;
    ++differences;
    console.error(`${v.encoded.slice(0, 24)}... ${key}: file ${JSON.stringify(v[key])}, package ${want}`);
    if (mode === "--write") {
      if (d[key] === undefined) delete v[key];
      else v[key] = d[key];
    }
  }
}
if (mode === "--write") {
  writeFileSync(file, JSON.stringify(vectors, null, 1) + "\n");
  console.error(`wrote ${file} (${differences} fields changed)`);
} else {
  console.error(`${differences} fields differ from @lavalink/encoding ${packageVersion}`);
  process.exit(differences === 0 ? 0 : 1);
}
