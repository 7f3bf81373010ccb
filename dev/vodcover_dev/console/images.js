// Client-side checks of a cover image, mirroring the server's rules (docs/design.md, "Cover rules"): JPG or PNG by
// content, within the size and the long/short sides the API announces (GET /limits, see
// limits.js). The server stays the judge: what passes here may still be refused there (and is
// shown as such).

import { formatBytes } from "./dom.js";

const MIB = 1_048_576;

const JPEG_MAGIC = [0xff, 0xd8, 0xff];
const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function startsWith(bytes, magic) {
  return magic.every((value, index) => bytes[index] === value);
}

/** "jpeg", "png" or null, from the first bytes (the name and the browser's type can lie). */
export function sniffImageType(bytes) {
  if (startsWith(bytes, JPEG_MAGIC)) return "jpeg";
  if (startsWith(bytes, PNG_MAGIC)) return "png";
  return null;
}

/** Width and height from the header (PNG IHDR, JPEG SOFn), without decoding. */
export function headerDimensions(bytes, type) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (type === "png" && bytes.length >= 24) {
    return { width: view.getUint32(16), height: view.getUint32(20) };
  }
  if (type === "jpeg") {
    let offset = 2;
    while (offset + 9 < bytes.length) {
      if (bytes[offset] !== 0xff) {
        offset += 1;
        continue;
      }
      const marker = bytes[offset + 1];
      const isFrame = marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker);
      if (isFrame) return { width: view.getUint16(offset + 7), height: view.getUint16(offset + 5) };
      if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
        offset += 2;
        continue;
      }
      offset += 2 + view.getUint16(offset + 2);
    }
  }
  return null;
}

async function decodedDimensions(file) {
  try {
    const bitmap = await createImageBitmap(file);
    const size = { width: bitmap.width, height: bitmap.height };
    bitmap.close();
    return size;
  } catch {
    return null;
  }
}

/** "1 MB" for a whole number of MiB (as the limits are usually set), else formatBytes. */
export function sizeLimitText(bytes) {
  return bytes % MIB === 0 ? `${bytes / MIB} MB` : formatBytes(bytes);
}

/** The cover rules in one line, for hints: "JPG or PNG, up to 1 MB, at most 1920×1080 px (…)". */
export function coverRulesText(limits) {
  const { coverMaxLongSide: long, coverMaxShortSide: short } = limits;
  return `JPG or PNG, up to ${sizeLimitText(limits.coverMaxBytes)}, at most ${long}×${short} px (or ${short}×${long} portrait).`;
}

export function dimensionsFit(width, height, limits) {
  const longSide = Math.max(width, height);
  const shortSide = Math.min(width, height);
  return shortSide >= 1 && longSide <= limits.coverMaxLongSide && shortSide <= limits.coverMaxShortSide;
}

/**
 * Check `file` as a cover against `limits` (GET /limits). Resolves to
 * {ok, type, width, height, decoded, problems: [{code, message}]}.
 * `decoded` is false when the browser could not decode the image: the upload is still allowed
 * (the server decides), with a warning.
 */
export async function checkCoverImage(file, limits) {
  const problems = [];
  const head = new Uint8Array(await file.slice(0, 64 * 1024).arrayBuffer());
  const type = sniffImageType(head);
  if (!type) {
    problems.push({ code: "InvalidImage.Format", message: "A cover must be a JPG or PNG image." });
  }
  if (file.size > limits.coverMaxBytes) {
    problems.push({
      code: "InvalidImage.TooLarge",
      message: `A cover may be at most ${sizeLimitText(limits.coverMaxBytes)}; this file is ${(file.size / MIB).toFixed(2)} MB.`,
    });
  }
  if (file.size === 0) problems.push({ code: "InvalidImage.Corrupt", message: "The file is empty." });
  let size = null;
  let decoded = false;
  if (type) {
    size = await decodedDimensions(file);
    decoded = size !== null;
    size ??= headerDimensions(head, type);
    if (size && !dimensionsFit(size.width, size.height, limits)) {
      problems.push({
        code: "InvalidImage.Dimensions",
        message:
          `A cover may be at most ${limits.coverMaxLongSide}×${limits.coverMaxShortSide} px ` +
          `(or ${limits.coverMaxShortSide}×${limits.coverMaxLongSide} portrait); this one is ${size.width}×${size.height}.`,
      });
    }
  }
  return {
    ok: problems.length === 0,
    type,
    width: size?.width,
    height: size?.height,
    decoded,
    problems,
    contentType: type === "png" ? "image/png" : "image/jpeg",
  };
}

// --- showing covers (docs/embedding.md): renditions as srcset, the placeholder while loading ----

/** "url 320w, url 640w, …" of one format and aspect of the cover's renditions ("" when none). */
export function renditionSrcset(cover, format, aspect = "original") {
  return (cover?.renditions ?? [])
    .filter((r) => r.format === format && r.aspect === aspect)
    .map((r) => `${r.url} ${r.width}w`)
    .join(", ");
}

/** Attributes for an <img> of the cover: JPEG srcset, and the inline placeholder as a
 * background, painted at once and covered by the picture when it arrives. */
export function coverImageAttributes(cover, sizes) {
  const srcset = renditionSrcset(cover, "jpeg");
  const placeholder = cover?.placeholder?.dataUri;
  return {
    src: cover.url,
    srcset: srcset || undefined,
    sizes: srcset ? sizes : undefined,
    width: cover.width,
    height: cover.height,
    style: placeholder ? `background: center / cover no-repeat url("${placeholder}")` : undefined,
    dataset: { placeholder: placeholder ? "inline" : "none" },
  };
}

/** <source> elements for a <picture>: AVIF, then WebP, where the browser takes them. */
export function coverSources(h, cover, sizes) {
  return ["avif", "webp"]
    .map((format) => [format, renditionSrcset(cover, format)])
    .filter(([, srcset]) => srcset)
    .map(([format, srcset]) => h("source", { type: `image/${format}`, srcset, sizes }));
}
