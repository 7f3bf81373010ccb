// The API client. Every call goes to the same-origin signing proxy (`api/…`): the page never
// holds AWS secrets. Presigned S3 URLs (uploads, images, the video itself) go straight to S3.

const API_BASE = new URL("api/", document.baseURI);
const CONSOLE_HEADER = "X-Vodcover-Console";

/** An error the API (or the proxy) answered with: {error: {code, message}}
 *  (docs/design.md, "Error vocabulary"). */
export class ApiError extends Error {
  constructor(status, code, message, requestId) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.requestId = requestId;
  }
}

async function call(method, path, { json, body, contentType, query } = {}) {
  const url = new URL(path, API_BASE);
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(name, value);
  }
  const headers = { [CONSOLE_HEADER]: "1", Accept: "application/json" };
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  } else if (contentType) {
    headers["Content-Type"] = contentType;
  }
  let response;
  try {
    response = await fetch(url, { method, headers, body, cache: "no-store" });
  } catch (error) {
    throw new ApiError(0, "Console.Offline", `The console server did not answer (${error.message}).`);
  }
  const text = await response.text();
  let payload = null;
  try {
    payload = text ? JSON.parse(text) : null;
  } catch {
    payload = null;
  }
  if (!response.ok) {
    const error = payload?.error ?? {};
    throw new ApiError(
      response.status,
      error.code ?? `Http.${response.status}`,
      error.message ?? (text.slice(0, 200) || response.statusText),
      error.requestId,
    );
  }
  return payload;
}

export const api = {
  listVideos: (limit, nextToken) => call("GET", "videos", { query: { limit, nextToken } }),
  getVideos: (ids) => call("GET", "videos", { query: { ids: ids.join(",") } }),
  getVideo: (id) => call("GET", `videos/${encodeURIComponent(id)}`),
  getCoverHistory: (id) => call("GET", `videos/${encodeURIComponent(id)}/covers`),
  createUpload: (request) => call("POST", "videos", { json: request }),
  updateVideo: (id, changes) => call("PATCH", `videos/${encodeURIComponent(id)}`, { json: changes }),
  batchUpdate: (updates) => call("PATCH", "videos", { json: { updates } }),
  uploadCover: (id, file, type) =>
    call("PUT", `videos/${encodeURIComponent(id)}/cover`, { body: file, contentType: type }),
  startSmartCover: (id) => call("POST", `videos/${encodeURIComponent(id)}/smart-cover`),
  deleteVideo: (id) => call("DELETE", `videos/${encodeURIComponent(id)}`),
  deleteVideos: (videoIds) => call("POST", "videos/delete", { json: { videoIds } }),
  submitSnapshotJob: (id, request) => call("POST", `videos/${encodeURIComponent(id)}/snapshots`, { json: request }),
  startStoryboard: (id) => call("POST", `videos/${encodeURIComponent(id)}/storyboard`),
  getLimits: () => call("GET", "limits"),
};

let limitsRead = null;

/** The limits the stack enforces (GET /limits), read once per page load: the console checks
 *  covers and sizes its batches with the API's own numbers, never copies of them. Resolves to
 *  {coverMaxBytes, coverMaxLongSide, coverMaxShortSide, batchLimit}; a failed read is
 *  forgotten, so the next call asks again. */
export function limits() {
  limitsRead ??= api.getLimits().catch((error) => {
    limitsRead = null;
    throw error;
  });
  return limitsRead;
}

/** Many videos by id, in batches of the API's batchLimit. */
export async function getManyVideos(ids) {
  const { batchLimit: limit } = await limits();
  const found = [];
  const missing = [];
  const forbidden = [];
  for (let start = 0; start < ids.length; start += limit) {
    const answer = await api.getVideos(ids.slice(start, start + limit));
    found.push(...answer.videos);
    missing.push(...(answer.nonExistVideoIds ?? []));
    forbidden.push(...(answer.forbiddenVideoIds ?? []));
  }
  return { found, missing, forbidden };
}

/**
 * PUT `file` to a presigned S3 URL with XMLHttpRequest, for its upload progress events.
 * Resolves when S3 accepts it; rejects with an ApiError-shaped error otherwise.
 * Returns {promise, abort}.
 */
export function putToPresignedUrl(upload, file, onProgress) {
  const xhr = new XMLHttpRequest();
  const promise = new Promise((resolve, reject) => {
    xhr.open(upload.method ?? "PUT", upload.url);
    for (const [name, value] of Object.entries(upload.headers ?? {})) {
      // Browsers set Content-Length themselves (and refuse to be told it).
      if (name.toLowerCase() !== "content-length") xhr.setRequestHeader(name, value);
    }
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress(event.loaded, event.total);
    });
    xhr.addEventListener("load", () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(file.size, file.size);
        resolve();
      } else {
        const code = /<Code>([^<]+)<\/Code>/.exec(xhr.responseText)?.[1] ?? `Http.${xhr.status}`;
        const message = /<Message>([^<]+)<\/Message>/.exec(xhr.responseText)?.[1] ?? xhr.statusText;
        reject(new ApiError(xhr.status, `S3.${code}`, message || "The storage refused the upload."));
      }
    });
    xhr.addEventListener("error", () =>
      reject(new ApiError(0, "S3.Unreachable", "The upload could not reach the storage (network or CORS).")),
    );
    xhr.addEventListener("abort", () => reject(new ApiError(0, "Upload.Aborted", "The upload was cancelled.")));
    xhr.send(file);
  });
  return { promise, abort: () => xhr.abort() };
}
