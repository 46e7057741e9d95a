import { CodedError } from '../../../../shared/ipc/errors';

export interface ResolvedSource {
  url: string;
  /** File name in the models folder. */
  fileName: string;
}

const HF = 'https://huggingface.co';

/**
 * Turns what a user may paste into a download URL: `hf:user/repo/path/file.gguf`,
 * `hf:user/repo:QUANT` (the repo's file list is fetched to pick the file),
 * `hf:user/repo` (Q4_K_M when there is one), or a plain http(s) URL.
 */
export async function resolveModelSource(uri: string, fetchImpl: typeof fetch = fetch, signal?: AbortSignal): Promise<ResolvedSource> {
  const text = uri.trim();
  if (/^https?:\/\//i.test(text)) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new CodedError('INVALID_INPUT', `Not a valid URL: ${text}`);
    }
    return { url: url.toString(), fileName: ggufName(decodeURIComponent(url.pathname.split('/').pop() ?? '')) };
  }
  const match = /^hf:(?:\/\/)?([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+?)(?::([A-Za-z0-9_.-]+)|\/(.+))?$/.exec(text);
  if (!match) {
    throw new CodedError('INVALID_INPUT', `Not a model source: "${text}". Use hf:user/repo:QUANT, hf:user/repo/file.gguf or an http(s) URL.`);
  }
  const [, user, repo, quant, file] = match;
  const repoPath = `${user}/${repo}`;
  if (file) return { url: `${HF}/${repoPath}/resolve/main/${file.split('/').map(encodeURIComponent).join('/')}`, fileName: ggufName(file.split('/').pop()!) };
  const chosen = pickFile(await listRepoFiles(repoPath, fetchImpl, signal), quant ?? 'Q4_K_M', quant !== undefined, repoPath);
  return { url: `${HF}/${repoPath}/resolve/main/${chosen.split('/').map(encodeURIComponent).join('/')}`, fileName: ggufName(chosen.split('/').pop()!) };
}

async function listRepoFiles(repoPath: string, fetchImpl: typeof fetch, signal?: AbortSignal): Promise<string[]> {
  let response: Response;
  try {
    response = await fetchImpl(`${HF}/api/models/${repoPath}`, { signal });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new CodedError('NETWORK', `Could not reach Hugging Face to list ${repoPath}: ${(error as Error).message}`, { retryable: true });
  }
  if (response.status === 404 || response.status === 401) throw new CodedError('DOWNLOAD_FAILED', `No model repository "${repoPath}" on Hugging Face (or it is private).`);
  if (!response.ok) throw new CodedError('DOWNLOAD_FAILED', `Hugging Face answered ${response.status} when listing ${repoPath}.`, { retryable: response.status >= 500 });
  const body = (await response.json().catch(() => null)) as { siblings?: { rfilename?: unknown }[] } | null;
  return (body?.siblings ?? []).map((s) => s.rfilename).filter((name): name is string => typeof name === 'string');
}

/** The repo's GGUF file for a quantization; split files (`-00001-of-00003`) are not supported yet. */
export function pickFile(files: string[], quant: string, strict: boolean, repoPath = 'the repository'): string {
  const ggufs = files.filter((f) => f.toLowerCase().endsWith('.gguf') && !/-\d{5}-of-\d{5}\.gguf$/i.test(f));
  const wanted = quant.toLowerCase();
  const hit = ggufs.find((f) => new RegExp(`[._-]${escapeRegExp(wanted)}\\.gguf$`, 'i').test(f)) ?? ggufs.find((f) => f.toLowerCase().includes(wanted));
  if (hit) return hit;
  if (!strict && ggufs[0]) return ggufs[0];
  throw new CodedError('NOT_FOUND', `${repoPath} has no single-file ${quant} GGUF (files: ${ggufs.slice(0, 8).join(', ') || 'none'}).`);
}

function ggufName(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9_.-]/g, '_').replace(/^\.+/, '') || 'model';
  return safe.toLowerCase().endsWith('.gguf') ? safe : `${safe}.gguf`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
