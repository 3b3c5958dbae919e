import { Badge } from '@mantine/core';
import { TONE } from '../../../app/theme';
import { T } from '../strings';

/** Priority 1 and 2 in red, 3 in orange, 4 and 5 in grey: the colours keep white text above AA contrast. */
export function PriorityBadge({ priority }: { priority: number }) {
  const color = priority <= 2 ? 'red.9' : priority === 3 ? TONE.warning : 'gray.8';
  return (
    <Badge variant="filled" color={color} tt="none" aria-label={T.priorityLabel(priority)} title={T.priorityLabel(priority)}>
      {T.priority(priority)}
    </Badge>
  );
}

export function StateBadge({ state }: { state: string }) {
  const color = state === 'new' ? 'red.9' : state === 'closed' ? 'gray.8' : state === 'qualified' ? TONE.success : 'blue.9';
  return (
    <Badge variant="filled" color={color} tt="none">
      {T.states[state] ?? state}
    </Badge>
  );
}

export function DeviceStatusBadge({ status }: { status: string }) {
  const color = status === 'online' ? TONE.success : status === 'tampered' ? 'red.9' : status === 'offline' ? TONE.warning : 'gray.8';
  return (
    <Badge variant="filled" color={color} tt="none">
      {T.devices.statuses[status] ?? status}
    </Badge>
  );
}

/** A short beep from the browser (no sound file to ship); silent until the page has had a user gesture. */
let audio: AudioContext | null = null;
export function beep(): void {
  try {
    audio ??= new AudioContext();
    const oscillator = audio.createOscillator();
    const gain = audio.createGain();
    oscillator.frequency.value = 880;
    gain.gain.setValueAtTime(0.2, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.6);
    oscillator.connect(gain).connect(audio.destination);
    oscillator.start();
    oscillator.stop(audio.currentTime + 0.6);
  } catch {
    // No audio device: the visual cue remains.
  }
}

export const ageOf = (iso: string, now: number) => {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  return T.duration(s);
};
