import { useState, type FormEvent } from 'react';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, FileInput, Group, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { api } from '../../../app/api';
import { ListFooter, LoadError, Loading, PageHeader, RejectedLines, formatDate } from '../../../app/components';
import { useCurrentSession, usePermission } from '../../../app/session';
import type { Page } from '../../../app/types';
import { T } from '../strings';
import type { Asset } from '../types';

interface ImportResult {
  created: number;
  rejects: { line: number; reason: string }[];
}

/** The CSV goes as the raw request body, so that the server detects its encoding from the bytes. */
function ImportForm() {
  const session = useCurrentSession();
  const queryClient = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [result, setResult] = useState<ImportResult | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!file) return;
    setResult(null);
    setFailure(null);
    try {
      const response = await fetch('/api/education/assets/imports', {
        method: 'POST',
        headers: { 'content-type': 'text/csv', accept: 'application/json', ...(session.csrfToken && { 'x-csrf-token': session.csrfToken }) },
        credentials: 'same-origin',
        body: file,
      });
      const json = await response.json().catch(() => null);
      if (response.ok) setResult(json as ImportResult);
      else setFailure((json as { error?: { message?: string } } | null)?.error?.message ?? `Erreur ${response.status}.`);
      await queryClient.invalidateQueries({ queryKey: ['education'] });
    } catch {
      setFailure('Le serveur est injoignable. Vérifiez votre connexion puis réessayez.');
    }
  }
  return (
    <section aria-labelledby="education-import">
      <Title order={2} fz="h4" id="education-import" mb="xs">
        {T.fleet.import}
      </Title>
      <Stack component="form" gap="sm" maw={560} onSubmit={(e) => void submit(e)}>
        <FileInput label={T.fleet.file} required accept=".csv,text/csv" value={file} onChange={setFile} />
        <Group>
          <Button type="submit" disabled={!file}>
            {T.fleet.submit}
          </Button>
        </Group>
        <div aria-live="polite">
          {failure && (
            <Alert color="red" role="alert">
              {failure}
            </Alert>
          )}
          {result && <Alert color="green">{T.fleet.imported(result.created, result.rejects.length)}</Alert>}
        </div>
        {result && <RejectedLines rejects={result.rejects} />}
      </Stack>
    </section>
  );
}

export function FleetPage() {
  const canImport = usePermission('education_asset', 'create');
  const [q, setQ] = useState('');
  const [type, setType] = useState<string | null>(null);
  const [state, setState] = useState<string | null>(null);
  const [page, setPage] = useState(1);
  const { data, error, refetch } = useQuery({
    queryKey: ['education', 'fleet', q, type, state, page],
    queryFn: () => api<Page<Asset>>('/api/education/assets', { query: { q, type, state, page, pageSize: 50 } }),
    placeholderData: keepPreviousData,
  });
  const options = (labels: Record<string, string>) => Object.entries(labels).map(([value, label]) => ({ value, label }));
  return (
    <>
      <PageHeader title={T.fleet.title}>
        <Text>{T.fleet.intro}</Text>
      </PageHeader>
      <Stack gap="xl">
        {canImport && <ImportForm />}
        <section aria-label={T.fleet.title}>
          <Group mb="sm" align="flex-end">
            <TextInput label={T.fleet.search} value={q} onChange={(e) => { setQ(e.currentTarget.value); setPage(1); }} w={320} />
            <Select label={T.fleet.type} placeholder={T.fleet.all} clearable data={options(T.types)} value={type} onChange={(v) => { setType(v); setPage(1); }} />
            <Select label={T.fleet.state} placeholder={T.fleet.all} clearable data={options(T.states)} value={state} onChange={(v) => { setState(v); setPage(1); }} />
          </Group>
          {error && <LoadError error={error} onRetry={() => void refetch()} />}
          {!data && !error && <Loading />}
          {data && (
            <>
              <Table striped data-testid="fleet-table">
                <Table.Thead>
                  <Table.Tr>
                    {Object.values(T.fleet.columns).map((label) => (
                      <Table.Th key={label}>{label}</Table.Th>
                    ))}
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.items.map((a) => (
                    <Table.Tr key={a.id}>
                      <Table.Td>{a.serial}</Table.Td>
                      <Table.Td>{T.types[a.type] ?? a.type}</Table.Td>
                      <Table.Td>{a.label}</Table.Td>
                      <Table.Td>{a.schoolName ?? T.fleet.stock}</Table.Td>
                      <Table.Td>{T.states[a.state] ?? a.state}</Table.Td>
                      <Table.Td>{a.holder ?? '—'}</Table.Td>
                      <Table.Td>{formatDate(a.purchaseDate)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
              <ListFooter total={data.total} page={data.page} pageSize={data.pageSize} onPage={setPage} />
            </>
          )}
        </section>
      </Stack>
    </>
  );
}
