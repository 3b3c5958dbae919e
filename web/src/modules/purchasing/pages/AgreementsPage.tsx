import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Anchor, Button, Card, Checkbox, FileInput, Group, List, NativeSelect, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { api, ApiError, errorMessage } from '../../../app/api';
import { LoadError, Loading, PageHeader, RejectedLines, formatDate } from '../../../app/components';
import { useCurrentSession, usePermission } from '../../../app/session';
import type { Page } from '../../../app/types';
import { T } from '../strings';
import { PRICE_FORMS, PRICE_TYPES, PROCEDURES, type Agreement, type Convention, type LotCode } from '../types';

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
      {report && <RejectedLines rejects={report.rejects} testId="import-rejects" />}
    </Stack>
  );
}

const LOT_CODES = Object.keys(T.lots) as LotCode[];

/** A compact form for an awarded agreement with one supplier holding its lots. */
function NewAgreement() {
  const queryClient = useQueryClient();
  const F = T.agreements.form;
  const [v, setV] = useState({
    reference: '', object: '', cpvCode: '', procedure: PROCEDURES[1]!, notificationDate: '', durationMonths: '48', priceForm: PRICE_FORMS[0]!, priceType: PRICE_TYPES[0]!,
    execution: 'purchase_orders', tierBasis: 'cumulative', siret: '', supplier: '',
  });
  const [lots, setLots] = useState<Partial<Record<LotCode, string>>>({});
  const save = useMutation({
    mutationFn: () =>
      api<Agreement>('/api/purchasing/agreements', {
        method: 'POST',
        body: {
          reference: v.reference, object: v.object, cpvCode: v.cpvCode, procedure: v.procedure, notificationDate: v.notificationDate, durationMonths: Number(v.durationMonths),
          priceForm: v.priceForm, priceType: v.priceType, execution: v.execution, tierBasis: v.tierBasis, suppliers: [{ siret: v.siret, name: v.supplier }],
          lots: Object.entries(lots).map(([code, max]) => ({ code, label: T.lots[code as LotCode], supplierSiret: v.siret, minAmount: 0, maxAmount: Number((max ?? '').replace(',', '.')) })),
        },
      }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['purchasing'] }),
  });
  const text = (field: keyof typeof v, label: string, props: Record<string, unknown> = {}) => (
    <TextInput label={label} required value={v[field]} onChange={(e) => setV({ ...v, [field]: e.currentTarget.value })} {...props} />
  );
  const select = (field: keyof typeof v, label: string, data: { value: string; label: string }[] | string[]) => (
    <NativeSelect label={label} value={v[field]} onChange={(e) => setV({ ...v, [field]: e.currentTarget.value })} data={data} />
  );
  return (
    <Stack gap="sm" component="form" onSubmit={(e: FormEvent) => { e.preventDefault(); save.mutate(); }} maw={800} aria-labelledby="agreement-new">
      <Title order={2} fz="h4" id="agreement-new">
        {T.agreements.create}
      </Title>
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        {text('reference', F.reference, { maxLength: 16 })}
        {text('cpvCode', F.cpv, { pattern: '[0-9]{8}(-[0-9])?' })}
      </SimpleGrid>
      {text('object', F.object)}
      <SimpleGrid cols={{ base: 1, sm: 3 }}>
        {select('procedure', F.procedure, PROCEDURES)}
        {text('notificationDate', F.notification, { type: 'date' })}
        {text('durationMonths', F.duration, { type: 'number', min: 1 })}
        {select('priceForm', F.priceForm, PRICE_FORMS)}
        {select('priceType', F.priceType, PRICE_TYPES)}
        {select('execution', F.execution, Object.entries(T.agreements.execution).map(([value, label]) => ({ value, label })))}
      </SimpleGrid>
      {select('tierBasis', F.tierBasis, Object.entries(T.agreements.tierBasis).map(([value, label]) => ({ value, label })))}
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        {text('siret', F.supplierSiret, { inputMode: 'numeric' })}
        {text('supplier', F.supplierName)}
      </SimpleGrid>
      <fieldset style={{ border: 0, padding: 0, margin: 0 }}>
        <legend>
          <Text fw={600} size="sm">
            {F.lots}
          </Text>
        </legend>
        <Stack gap="xs">
          {LOT_CODES.map((code) => (
            <Group key={code} align="flex-end">
              <Checkbox
                label={T.lots[code]}
                checked={lots[code] !== undefined}
                onChange={(e) => {
                  const next = { ...lots };
                  if (e.currentTarget.checked) next[code] = '';
                  else delete next[code];
                  setLots(next);
                }}
                w={220}
                mb={8}
              />
              {lots[code] !== undefined && <TextInput label={F.lotMax(T.lots[code])} required inputMode="decimal" value={lots[code]} onChange={(e) => setLots({ ...lots, [code]: e.currentTarget.value })} />}
            </Group>
          ))}
        </Stack>
      </fieldset>
      <div aria-live="polite">
        {save.error && (
          <Alert color="red" role="alert" title={F.refused}>
            {save.error instanceof ApiError && save.error.details.length > 0 ? (
              <ul style={{ margin: 0, paddingInlineStart: '1.2rem' }}>
                {save.error.details.map((d) => (
                  <li key={`${d.field}${d.message}`}>{d.message}</li>
                ))}
              </ul>
            ) : (
              errorMessage(save.error)
            )}
          </Alert>
        )}
        {save.data && <Alert color="green">{F.saved(save.data.reference)}</Alert>}
      </div>
      <Group>
        <Button type="submit" loading={save.isPending}>
          {F.save}
        </Button>
      </Group>
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
  const mayCreate = usePermission('purchasing_agreement', 'create');
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
          {mayCreate && <NewAgreement />}
        </Stack>
      )}
    </>
  );
}
