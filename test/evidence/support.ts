import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Real MP4 segments made by Debian's ffmpeg: a test pattern of `seconds` seconds. Each clip's title makes
 * its bytes, and so its SHA-256, its own.
 */
export async function makeClip(file: string, seconds: number, title: string): Promise<string> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `testsrc=size=160x120:rate=10`, '-t', String(seconds), '-pix_fmt', 'yuv420p', '-metadata', `title=${title}`, file]);
  return file;
}

export const tempDir = (label: string) => fs.mkdtempSync(path.join(os.tmpdir(), `mutualis-${label}-`));

const pad = (n: number) => String(n).padStart(2, '0');

/** Frigate's layout: YYYY-MM-DD/HH/<camera>/MM.SS.mp4 (UTC). */
export function frigatePath(camera: string, at: Date): string {
  return `${at.toISOString().slice(0, 10)}/${pad(at.getUTCHours())}/${camera}/${pad(at.getUTCMinutes())}.${pad(at.getUTCSeconds())}.mp4`;
}

/** The generic layout: <camera code>/YYYY-MM-DD/HH-MM-SS.mp4 (UTC). */
export function genericPath(code: string, at: Date): string {
  return `${code}/${at.toISOString().slice(0, 10)}/${pad(at.getUTCHours())}-${pad(at.getUTCMinutes())}-${pad(at.getUTCSeconds())}.mp4`;
}

/** Copies a clip into the recordings folder, dated a while ago so that the scan takes it as finished. */
export function placeRecording(recordingsDir: string, relative: string, clip: string): string {
  const target = path.join(recordingsDir, relative);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.copyFileSync(clip, target);
  const old = new Date(Date.now() - 60_000);
  fs.utimesSync(target, old, old);
  return target;
}

export async function sh(command: string, args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(command, args, { cwd });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}
