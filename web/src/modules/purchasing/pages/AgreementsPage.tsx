import { useState, type FormEvent } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Anchor, Button, Card, FileInput, Group, List, NativeSelect, Stack, Table, Text, Title } from '@mantine/core';
import { api } from '../../../app/api';
import { LoadError, Loading, PageHeader, formatDate } from '../../../app/components';
import { useCurrentSession, usePermission } from '../../../app/session';
import type { Page } from '../../../app/types';
import { T } from '../strings';
import type { Agreement, Convention } from '../types';

interface ImportReport {
  lines: number;
  created: number;
  updated: number;
  rejects: { line: number; reference: string | null; reason: string }[];
}

/** The CSV goes as the raw request body; the JSON helper does not send files. */
function CatalogueImport({ agreements }: { agreements: Agreement[] }) {
  const session = useCurrentSession();
  const queryClient = useQueryClient();
  const lots = agreements.flatMap((a) => a.lots.map((l) => ({ value: l.id, label: `${a.reference} — ${l.label}` })));
  const [lotId, setLotId] = useState(lots[0]?.value ?? '');
  const [file, setFile] = useState<File | null>(null);
  const [sending, setSending] = useState(false);
  const [report, setReport] = useState<ImportReport | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!file || !lotId) return;
    setSending(true);
    setReport(null);
    setFailure(null);
    try {
      const response = await fetch(`/api/purchasing/lots/${lotId}/items/import`, {
        method: 'POST',
        headers: { 'content-type': 'text/csv', accept: 'application/json', ...(session.csrfToken && { 'x-csrf-token': session.csrfToken }) },
        credentials: 'same-origin',
        body: file,
      });
      const json = await response.json().catch(() => null);
      if (response.ok) setReport(json as ImportReport);
      else setFailure((json as { error?: { message?: string } } | null)?.error?.message ?? `Erreur ${response.status}.`);
      await queryClient.invalidateQueries({ queryKey: ['purchasing'] });
    } catch {
      setFailure('Le serveur est injoignable. Vérifiez votre connexion puis réessayez.');
    } finally {
      setSending(false);
    }
  }

  return (
    <Stack gap="sm" component="form" onSubmit={(e) => void submit(e)} maw={640} aria-labelledby="catalogue-import">
      <Title order={2} fz="h4" id="catalogue-import">
        {T.agreements.import}
      </Title>
      <NativeSelect label={T.agreements.importLot} value={lotId} onChange={(e) => setLotId(e.currentTarget.value)} data={lots} />
      <FileInput label={T.agreements.importFile} description={T.agreements.importHint} required accept=".csv,text/csv" value={file} onChange={setFile} />
      <Group>
        <Button type="submit" loading={sending} disabled={!file}>
          {T.agreements.importSubmit}
        </Button>
      </Group>
      <div aria-live="polite">
        {failure && (
          <Alert color="red" role="alert">
            {failure}
          </Alert>
        )}
        {report && <Alert color="green">{T.agreements.importResult(report.created, report.updated, report.rejects.length)}</Alert>}
      </div>
      {report && report.rejects.length > 0 && (
        <Table striped aria-label={T.agreements.rejects} data-testid="import-rejects">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{T.agreements.line}</Table.Th>
              <Table.Th>{T.agreements.reason}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {report.rejects.map((r) => (
              <Table.Tr key={r.line}>
                <Table.Td>{r.line}</Table.Td>
                <Table.Td>{r.reason}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}

function Conventions() {
  const { data, error } = useQuery({ queryKey: ['purchasing', 'conventions'], queryFn: () => api<Convention[]>('/api/purchasing/conventions') });
  return (
    <section aria-labelledby="conventions">
      <Title order={2} fz="h4" id="conventions">
        {T.agreements.conventions}
      </Title>
      <Text mb="xs">{T.agreements.conventionsIntro}</Text>
      {error && <LoadError error={error} />}
      {data && (
        <Table striped data-testid="conventions-table">
          <Table.Thead>
            <Table.Tr>
              {Object.values(T.agreements.conventionColumns).map((label) => (
                <Table.Th key={label}>{label}</Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {data.map((c) => (
              <Table.Tr key={c.id}>
                <Table.Td>{c.reference}</Table.Td>
                <Table.Td>{c.memberName}</Table.Td>
                <Table.Td>{formatDate(c.signedOn)}</Table.Td>
                <Table.Td>{c.lots.map((l) => T.lots[l]).join(', ')}</Table.Td>
                <Table.Td>
                  {c.contactName} ({c.contactEmail})
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </section>
  );
}

export function AgreementsPage() {
  const mayImport = usePermission('purchasing_catalogue', 'update');
  const mayReadConventions = usePermission('purchasing_convention');
  const { data, error, refetch } = useQuery({ queryKey: ['purchasing', 'agreements'], queryFn: () => api<Page<Agreement>>('/api/purchasing/agreements', { query: { pageSize: 200 } }) });
  return (
    <>
      <PageHeader title={T.agreements.title} actions={<Anchor href="/api/opendata/decp.json">{T.agreements.decp}</Anchor>}>
        <Text>{T.agreements.intro}</Text>
      </PageHeader>
      {error && <LoadError error={error} onRetry={() => void refetch()} />}
      {!data && !error && <Loading />}
      {data && (
        <Stack gap="xl">
          {data.items.map((a) => (
            <Card key={a.id} withBorder component="section" aria-labelledby={`agreement-${a.id}`}>
              <Title order={2} fz="h4" id={`agreement-${a.id}`}>
                {a.reference} — {a.object}
              </Title>
              <Text size="sm">
                {a.procedure} · CPV {a.cpvCode} · {T.agreements.period(formatDate(a.notificationDate), formatDate(a.endDate))} · {T.agreements.execution[a.execution]} · {a.priceForm}, {a.priceType} · {T.agreements.tierBasis[a.tierBasis]}
              </Text>
              <List mt="xs">
                {a.lots.map((l) => (
                  <List.Item key={l.id}>{T.agreements.lotLine(l.label, l.supplierName, T.money(l.committedAmount), T.money(l.maxAmount))}</List.Item>
                ))}
                {a.amendments.map((m) => (
                  <List.Item key={m.seq}>{T.agreements.amendment(m.seq, formatDate(m.date), T.money(m.amount), m.object)}</List.Item>
                ))}
              </List>
            </Card>
          ))}
          {mayReadConventions && <Conventions />}
          {mayImport && <CatalogueImport agreements={data.items} />}
        </Stack>
      )}
    </>
  );
}
