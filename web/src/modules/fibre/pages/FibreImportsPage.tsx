import { useState, type FormEvent } from 'react';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Badge, Button, FileInput, Group, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { api, withQuery } from '../../../app/api';
import { ListFooter, LoadError, Loading, PageHeader, RejectedLines, formatDate, formatDateTime, formatNumber } from '../../../app/components';
import { useCurrentSession, usePermission } from '../../../app/session';
import type { Page } from '../../../app/types';
import { T } from '../strings';
import type { FibreImport } from '../types';
import { TONE } from '../../../app/theme';

interface Outcome {
  outcome: 'accepted' | 'unchanged';
  import: FibreImport;
  rejects: { line: number; reason: string }[];
}

/** The file goes as the raw request body (the API streams it); the JSON helper does not send files. */
function UploadForm() {
  const session = useCurrentSession();
  const queryClient = useQueryClient();
  const [operator, setOperator] = useState('');
  const [date, setDate] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [sending, setSending] = useState(false);
  const [result, setResult] = useState<Outcome | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!file) return;
    setSending(true);
    setResult(null);
    setFailure(null);
    try {
      const response = await fetch(withQuery('/api/fibre/imports', { operator, date, fileName: file.name }), {
        method: 'POST',
        headers: { 'content-type': 'text/csv', accept: 'application/json', ...(session.csrfToken && { 'x-csrf-token': session.csrfToken }) },
        credentials: 'same-origin',
        body: file,
      });
      const json = await response.json().catch(() => null);
      if (response.ok) setResult(json as Outcome);
      else setFailure((json as { error?: { message?: string } } | null)?.error?.message ?? `Erreur ${response.status}.`);
      await queryClient.invalidateQueries({ queryKey: ['fibre'] });
    } catch {
      setFailure('Le serveur est injoignable. Vérifiez votre connexion puis réessayez.');
    } finally {
      setSending(false);
    }
  }

  return (
    <Stack gap="sm" component="form" onSubmit={(e) => void submit(e)} maw={560}>
      <TextInput label={T.imports.operator} description={T.imports.operatorHint} required value={operator} onChange={(e) => setOperator(e.currentTarget.value.toUpperCase())} pattern="[A-Z0-9][A-Z0-9_\-]{1,31}" />
      <TextInput label={T.imports.date} type="date" required value={date} onChange={(e) => setDate(e.currentTarget.value)} />
      <FileInput label={T.imports.file} required accept=".csv,text/csv" value={file} onChange={setFile} />
      <Group>
        <Button type="submit" loading={sending} disabled={!file}>
          {sending ? T.imports.sending : T.imports.submit}
        </Button>
      </Group>
      <div aria-live="polite">
        {failure && (
          <Alert color="red" role="alert">
            {failure}
          </Alert>
        )}
        {result && (
          <Alert color={result.outcome === 'accepted' ? 'green' : 'blue'}>
            {result.outcome === 'accepted' ? T.imports.accepted(result.import.accepted, result.import.rejected) : T.imports.unchanged}
          </Alert>
        )}
      </div>
      {result && <RejectedLines rejects={result.rejects} />}
    </Stack>
  );
}

export function FibreImportsPage() {
  const [page, setPage] = useState(1);
  const canImport = usePermission('fibre_import', 'create');
  const { data, error, refetch } = useQuery({
    queryKey: ['fibre', 'imports', page],
    queryFn: () => api<Page<FibreImport>>('/api/fibre/imports', { query: { page, pageSize: 20 } }),
    placeholderData: keepPreviousData,
  });
  return (
    <>
      <PageHeader title={T.imports.title}>
        <Text>{T.imports.intro}</Text>
      </PageHeader>
      <Stack gap="xl">
        {canImport && <UploadForm />}
        <section aria-labelledby="fibre-history">
          <Title order={2} fz="h4" id="fibre-history" mb="xs">
            {T.imports.history}
          </Title>
          {error && <LoadError error={error} onRetry={() => void refetch()} />}
          {!data && !error && <Loading />}
          {data && (
            <>
              <Table striped>
                <Table.Thead>
                  <Table.Tr>
                    {Object.values(T.imports.columns).map((label) => (
                      <Table.Th key={label}>{label}</Table.Th>
                    ))}
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.items.map((i) => (
                    <Table.Tr key={i.id}>
                      <Table.Td>{formatDateTime(i.importedAt)}</Table.Td>
                      <Table.Td>{i.operator}</Table.Td>
                      <Table.Td>{formatDate(i.snapshotDate)}</Table.Td>
                      <Table.Td>{i.fileName}</Table.Td>
                      <Table.Td>
                        <Badge variant="filled" tt="none" color={i.status === 'accepted' ? TONE.success : i.status === 'refused' ? 'red.9' : 'gray.8'} title={i.refusal ?? undefined}>
                          {T.imports.status[i.status] ?? i.status}
                        </Badge>
                        {i.refusal && <Text size="xs">{i.refusal}</Text>}
                      </Table.Td>
                      <Table.Td>{formatNumber(i.lines)}</Table.Td>
                      <Table.Td>{formatNumber(i.accepted)}</Table.Td>
                      <Table.Td>{formatNumber(i.rejected)}</Table.Td>
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
