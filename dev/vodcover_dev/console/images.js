// Client-side checks of a cover image, mirroring the server's rules (docs/design.md, "Cover rules"): JPG or PNG by
// content, at most 1 MB, at most 1920 px on the longer side and 1080 px on the shorter. The
// server stays the judge: what passes here may still be refused there (and is shown as such).

export const COVER_LIMITS = { maxBytes: 1_048_576, maxLongSide: 1920, maxShortSide: 1080 };

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

export function dimensionsFit(width, height, limits = COVER_LIMITS) {
  const longSide = Math.max(width, height);
  const shortSide = Math.min(width, height);
  return shortSide >= 1 && longSide <= limits.maxLongSide && shortSide <= limits.maxShortSide;
}

/**
 * Check `file` as a cover. Resolves to {ok, type, width, height, decoded, problems: [{code, message}]}.
 * `decoded` is false when the browser could not decode the image: the upload is still allowed
 * (the server decides), with a warning.
 */
export async function checkCoverImage(file, limits = COVER_LIMITS) {
  const problems = [];
  const head = new Uint8Array(await file.slice(0, 64 * 1024).arrayBuffer());
  const type = sniffImageType(head);
  if (!type) {
    problems.push({ code: "InvalidImage.Format", message: "A cover must be a JPG or PNG image." });
  }
  if (file.size > limits.maxBytes) {
    problems.push({
      code: "InvalidImage.TooLarge",
      message: `A cover may be at most 1 MB; this file is ${(file.size / 1_048_576).toFixed(2)} MB.`,
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
          `A cover may be at most ${limits.maxLongSide}×${limits.maxShortSide} px ` +
          `(or ${limits.maxShortSide}×${limits.maxLongSide} portrait); this one is ${size.width}×${size.height}.`,
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
