import { useEffect, useRef, type ReactNode } from 'react';
import { Link, Outlet } from 'react-router';
import { Alert, Anchor, Button, Group, Loader, Pagination, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { errorMessage, type FieldError } from './api';
import { pageTitle, S } from './strings';
import { mayReach, useCurrentSession } from './session';
import type { Permissions } from './types';

let firstPage = true;

/**
 * The page's h1 and document title. After a navigation the heading takes the focus, so that screen readers
 * announce the new page and keyboard users start from its top; the first page leaves the focus alone.
 */
export function PageHeader({ title, actions, children }: { title: string; actions?: ReactNode; children?: ReactNode }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = pageTitle(title);
  }, [title]);
  useEffect(() => {
    if (firstPage) firstPage = false;
    else heading.current?.focus();
  }, []);
  return (
    <Stack gap="xs" mb="lg">
      <Group justify="space-between" align="flex-start" wrap="wrap">
        <Title order={1} ref={heading} tabIndex={-1} className="page-heading">
          {title}
        </Title>
        {actions && <Group gap="sm">{actions}</Group>}
      </Group>
      {children}
    </Stack>
  );
}

export function Forbidden() {
  return (
    <>
      <PageHeader title={S.forbiddenTitle} />
      <Text mb="md">{S.forbiddenText}</Text>
      <Anchor component={Link} to="/">
        {S.backHome}
      </Anchor>
    </>
  );
}

export function NotFound() {
  return (
    <>
      <PageHeader title={S.notFoundTitle} />
      <Text mb="md">{S.notFoundText}</Text>
      <Anchor component={Link} to="/">
        {S.backHome}
      </Anchor>
    </>
  );
}

/** Route element that renders its child routes only for users with the permission (or one of `roles`, see mayReach). */
export function RequirePermission({ resource, action = 'read', roles }: { resource: keyof Permissions; action?: string; roles?: readonly string[] }) {
  return mayReach(useCurrentSession(), resource, action, roles) ? <Outlet /> : <Forbidden />;
}

/** A titled part of a page: an h2 that names the section for assistive technologies. */
export function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section aria-labelledby={id}>
      <Title order={2} fz="h4" id={id} mb="xs">
        {title}
      </Title>
      {children}
    </section>
  );
}

export function Loading({ label = S.loading }: { label?: string }) {
  return (
    <Group gap="sm" role="status" aria-live="polite">
      <Loader size="sm" aria-hidden />
      <Text>{label}</Text>
    </Group>
  );
}

export function LoadError({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  return (
    <Alert color="red" title={S.errorTitle} role="alert">
      <Text mb={onRetry ? 'sm' : 0}>{errorMessage(error)}</Text>
      {onRetry && (
        <Button variant="outline" color="red" size="xs" onClick={onRetry}>
          {S.retry}
        </Button>
      )}
    </Alert>
  );
}

export function ListFooter({ total, page, pageSize, onPage }: { total: number; page: number; pageSize: number; onPage: (page: number) => void }) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  return (
    <Group justify="space-between" mt="md" wrap="wrap">
      <Text size="sm" role="status" aria-live="polite">
        {S.results(total)}
      </Text>
      {pages > 1 && (
        <nav aria-label={S.pagination}>
          <Pagination
            total={pages}
            value={page}
            onChange={onPage}
            getItemProps={(n) => ({ 'aria-label': S.pageN(n), 'aria-current': n === page ? 'page' : undefined })}
            getControlProps={(control) => (control === 'previous' ? { 'aria-label': S.previousPage } : control === 'next' ? { 'aria-label': S.nextPage } : {})}
            withEdges={false}
          />
        </nav>
      )}
    </Group>
  );
}

/**
 * The errors of a refused form, announced and listed with links to their fields. `labels` names the
 * fields the form shows (API field → label); other messages are listed as they come.
 */
export function ErrorSummary({ title, message, details, labels, fieldId }: { title: string; message: string; details: FieldError[]; labels: Record<string, string>; fieldId: (field: string) => string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => box.current?.focus(), [message, details]);
  return (
    <Alert ref={box} tabIndex={-1} color="red" title={title} role="alert" mb="md">
      {details.length === 0 ? (
        <Text>{message}</Text>
      ) : (
        <ul style={{ margin: 0, paddingInlineStart: '1.2rem' }}>
          {details.map((detail) => {
            const label = labels[detail.field];
            return (
              <li key={`${detail.field}|${detail.message}`}>
                {label ? (
                  <Anchor href={`#${fieldId(detail.field)}`} c="red.9" onClick={(event) => { event.preventDefault(); document.getElementById(fieldId(detail.field))?.focus(); }}>
                    {label} : {detail.message}
                  </Anchor>
                ) : (
                  detail.message
                )}
              </li>
            );
          })}
        </ul>
      )}
    </Alert>
  );
}

const dateTime = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'short', timeStyle: 'short' });
const date = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long' });
export const formatDateTime = (iso: string | null) => (iso ? dateTime.format(new Date(iso)) : '—');
export const formatDate = (iso: string | null) => (iso ? date.format(new Date(iso)) : '—');
export const formatNumber = (n: number | null) => (n === null ? '—' : n.toLocaleString('fr-FR'));

/** One key figure. */
export function Tile({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <div className="tile">
      <dt>{label}</dt>
      <dd>
        <span className="tile-value">{value}</span>
        {hint && <span className="tile-hint">{hint}</span>}
      </dd>
    </div>
  );
}

export function TileGroup({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section aria-label={title}>
      <h2 className="tile-group-title">{title}</h2>
      <SimpleGrid component="dl" cols={{ base: 1, xs: 2, md: 4 }} spacing="md" m={0}>
        {children}
      </SimpleGrid>
    </section>
  );
}

/** The lines an import refused, with their number in the file and the reason; nothing when none was refused. */
export function RejectedLines({ rejects, testId }: { rejects: { line: number; reason: string }[]; testId?: string }) {
  if (rejects.length === 0) return null;
  return (
    <Table striped aria-label={S.rejectedLines} data-testid={testId}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{S.line}</Table.Th>
          <Table.Th>{S.reason}</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rejects.map((r) => (
          <Table.Tr key={r.line}>
            <Table.Td>{r.line}</Table.Td>
            <Table.Td>{r.reason}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
