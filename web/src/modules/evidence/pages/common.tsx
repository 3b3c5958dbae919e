import { useState, type FormEvent, type ReactNode } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Alert, Badge, Button, Group, List, Modal, Stack, Table, Text, Textarea } from '@mantine/core';
import { api, ApiError, errorMessage } from '../../../app/api';
import { formatDateTime } from '../../../app/components';
import { TONE } from '../../../app/theme';
import type { Page } from '../../../app/types';
import { T } from '../strings';
import type { Camera, Requisition, Segment } from '../types';

const STATUS_COLOR: Record<string, string> = { open: 'blue.9', extracted: 'violet.9', handed_over: TONE.success, closed: 'gray.8' };
const PACKAGE_COLOR: Record<string, string> = { building: 'blue.9', ready: TONE.success, failed: 'red.9' };

/** A filled badge in one of the console's AA colours; its label is never cut short by a narrow column. */
export function Tag({ color, children }: { color: string; children: ReactNode }) {
  return (
    <Badge variant="filled" color={color} tt="none" miw="max-content">
      {children}
    </Badge>
  );
}

export function RequisitionStatusBadge({ status }: { status: string }) {
  return (
    <Tag color={STATUS_COLOR[status] ?? 'gray.8'}>
      {T.statuses[status] ?? status}
    </Tag>
  );
}

export function PackageStatusBadge({ status }: { status: string }) {
  return (
    <Tag color={PACKAGE_COLOR[status] ?? 'gray.8'}>
      {T.packageStatuses[status] ?? status}
    </Tag>
  );
}

/** Whole days from today (local) to a YYYY-MM-DD day; negative once it has passed. */
export function daysUntil(day: string, now = new Date()): number {
  const [y = 0, m = 1, d = 1] = day.split('-').map(Number);
  const today = new Date(now.getFullYear(), now.getMonth(), now.getDate());
  return Math.round((new Date(y, m - 1, d).getTime() - today.getTime()) / 86_400_000);
}

/** The deadline's warning while the images are still owed: past in red, three days or less in orange. */
export function DeadlineBadge({ requisition }: { requisition: Pick<Requisition, 'deadline' | 'status'> }) {
  if (requisition.status !== 'open' && requisition.status !== 'extracted') return null;
  const days = daysUntil(requisition.deadline);
  if (days > 3) return null;
  return (
    <Tag color={days < 0 ? 'red.9' : TONE.warning}>
      {days < 0 ? T.overdue : T.dueSoon}
    </Tag>
  );
}

/** A YYYY-MM-DD day, read in local time. */
export const formatDay = (day: string | null) => (day ? new Date(`${day}T12:00:00`).toLocaleDateString('fr-FR', { dateStyle: 'long' }) : '—');
/** Recordings last seconds: their instants are shown to the second. */
const instant = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'short', timeStyle: 'medium' });
export const formatInstant = (iso: string | null) => (iso ? instant.format(new Date(iso)) : '—');

export const formatPeriod = (from: string | null, to: string | null) => (from && to ? T.period(formatDateTime(from), formatDateTime(to)) : '—');

const UNITS = ['byte', 'kilobyte', 'megabyte', 'gigabyte', 'terabyte'] as const;
export function formatBytes(bytes: number | null): string {
  if (bytes === null) return '—';
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return new Intl.NumberFormat('fr-FR', { style: 'unit', unit: UNITS[unit], unitDisplay: 'short', maximumFractionDigits: 1 }).format(value);
}

/** A datetime-local or date input's value as an ISO instant ('' stays '', for the API to name the missing field). */
export const isoOf = (local: string) => (local ? new Date(local).toISOString() : local);
/** The start of a YYYY-MM-DD day and of the day after it, in local time, for date filters. */
export const dayStart = (day: string) => (day ? new Date(`${day}T00:00`).toISOString() : undefined);
export const dayAfter = (day: string) => {
  if (!day) return undefined;
  const next = new Date(`${day}T00:00`);
  next.setDate(next.getDate() + 1);
  return next.toISOString();
};

/** The messages the API gave for one field of a refused request. */
export const errorsOf = (error: unknown) => (field: string) =>
  error instanceof ApiError ? error.details.filter((d) => d.field === field).map((d) => d.message).join(' ; ') || undefined : undefined;

/** A refused action: the API's message and the details it gave. */
export function Refusal({ error }: { error: unknown }) {
  if (!error) return null;
  const details = error instanceof ApiError ? error.details : [];
  return (
    <Alert color="red" title={T.refused} role="alert">
      <Text>{errorMessage(error)}</Text>
      {details.length > 0 && (
        <List size="sm">
          {details.map((d) => (
            <List.Item key={`${d.field}|${d.message}`}>{d.message}</List.Item>
          ))}
        </List>
      )}
    </Alert>
  );
}

/** The cameras the user may see, with their sites; GET /api/security/devices answers 200 at the most. */
export function useCameras(enabled = true) {
  return useQuery({
    queryKey: ['evidence', 'cameras'],
    queryFn: async () => (await api<Page<Camera>>('/api/security/devices', { query: { kind: 'camera', pageSize: 200, sort: 'code' } })).items,
    staleTime: 5 * 60_000,
    enabled,
  });
}

/** The sites that have cameras, as select options sorted by name. */
export function sitesOf(cameras: Camera[]): { value: string; label: string }[] {
  return [...new Map(cameras.map((c) => [c.siteId, c.siteName]))].map(([value, label]) => ({ value, label })).sort((a, b) => a.label.localeCompare(b.label, 'fr'));
}

/** A mandatory reason, which the register keeps, before an action. */
export function ReasonForm({ id, intro, submitLabel, color, pending, error, onSubmit, onCancel }: { id: string; intro?: ReactNode; submitLabel: string; color?: string; pending: boolean; error: unknown; onSubmit: (reason: string) => void; onCancel: () => void }) {
  const [reason, setReason] = useState('');
  return (
    <Stack
      component="form"
      gap="sm"
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        onSubmit(reason.trim());
      }}
    >
      {intro && <Text>{intro}</Text>}
      <Textarea id={id} label={T.reason} required minLength={3} maxLength={500} value={reason} onChange={(e) => setReason(e.currentTarget.value)} autosize minRows={2} data-autofocus />
      <Refusal error={error} />
      <Group justify="flex-end">
        <Button variant="default" onClick={onCancel}>
          {T.cancel}
        </Button>
        <Button type="submit" color={color} loading={pending}>
          {submitLabel}
        </Button>
      </Group>
    </Stack>
  );
}

/** A dialog that asks the reason of an action, then runs it. */
export function ReasonDialog({ opened, onClose, title, ...form }: { opened: boolean; onClose: () => void; title: string } & Omit<Parameters<typeof ReasonForm>[0], 'onCancel'>) {
  return (
    <Modal opened={opened} onClose={onClose} title={title} closeButtonProps={{ 'aria-label': T.cancel }} size="lg">
      <ReasonForm {...form} onCancel={onClose} />
    </Modal>
  );
}

/**
 * A striped table with its column headers, which scrolls sideways on narrow screens: the scrolling region
 * takes the focus, so that keyboard users can scroll it, and bears the table's name.
 */
export function DataTable({ label, columns, minWidth, testId, busy, children }: { label: string; columns: string[]; minWidth: number; testId?: string; busy?: boolean; children: ReactNode }) {
  return (
    <Table.ScrollContainer type="native" minWidth={minWidth} tabIndex={0} role="region" aria-label={label}>
      <Table striped aria-label={label} aria-busy={busy} data-testid={testId}>
        <Table.Thead>
          <Table.Tr>
            {columns.map((l) => (
              <Table.Th key={l} scope="col">
                {l}
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>{children}</Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** A camera's code above its name. */
export function CameraCell({ code, name }: { code: string; name: string }) {
  return (
    <Table.Td>
      {code}
      <Text size="sm">{name}</Text>
    </Table.Td>
  );
}

/** Segments of the index, with the requisitions holding them and, when given, a viewing button. */
export function SegmentsTable({ segments, label, testId, onView }: { segments: Segment[]; label: string; testId?: string; onView?: (segment: Segment) => void }) {
  const { view, ...columns } = T.segments.columns;
  return (
    <DataTable label={label} columns={[...Object.values(columns), ...(onView ? [view] : [])]} minWidth={760} testId={testId}>
      {segments.map((s) => (
        <Table.Tr key={s.id}>
          <CameraCell code={s.cameraCode} name={s.cameraName} />
          <Table.Td>{s.siteName}</Table.Td>
          <Table.Td>{formatInstant(s.from)}</Table.Td>
          <Table.Td>{formatInstant(s.to)}</Table.Td>
          <Table.Td>{formatBytes(s.sizeBytes)}</Table.Td>
          <Table.Td>{s.heldBy.length ? s.heldBy.join(', ') : '—'}</Table.Td>
          {onView && (
            <Table.Td>
              <Button size="xs" variant="default" onClick={() => onView(s)} aria-label={T.recordings.viewLabel(s.cameraCode, formatDateTime(s.from))}>
                {view}
              </Button>
            </Table.Td>
          )}
        </Table.Tr>
      ))}
    </DataTable>
  );
}

/** Label and value pairs, laid out as the site page's facts. */
export function Facts({ items }: { items: [string, ReactNode][] }) {
  return (
    <dl className="facts">
      {items.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
