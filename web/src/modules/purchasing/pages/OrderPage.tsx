import { useState, type FormEvent, type ReactNode } from 'react';
import { useParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Anchor, Button, Group, List, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { api, errorMessage } from '../../../app/api';
import { LoadError, Loading, PageHeader, formatDateTime } from '../../../app/components';
import { usePermission } from '../../../app/session';
import { T } from '../strings';
import type { Order } from '../types';
import { StatusBadge } from './OrdersPage';

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text fw={600} size="sm">
        {label}
      </Text>
      <Text>{children}</Text>
    </div>
  );
}

/** The workflow steps open to this user at the order's status. */
function Actions({ order }: { order: Order }) {
  const queryClient = useQueryClient();
  const mayApprove = usePermission('purchasing_approval', 'create');
  const mayValidate = usePermission('purchasing_validation', 'create');
  const mayOverride = usePermission('purchasing_override', 'create');
  const mayUpdate = usePermission('purchasing_order', 'update');
  const mayCancel = usePermission('purchasing_order', 'delete');
  const [overrideReason, setOverrideReason] = useState('');
  const [cancelReason, setCancelReason] = useState('');
  const [delivered, setDelivered] = useState<Record<string, string>>({});
  const [invoice, setInvoice] = useState({ invoiceNumber: '', amount: '', chorusInvoiceId: '' });
  const [notice, setNotice] = useState<string | null>(null);
  const step = useMutation({
    mutationFn: ({ path, body }: { path: string; body?: unknown }) => api<unknown>(`/api/purchasing/orders/${order.id}/${path}`, { method: 'POST', body: body ?? {} }),
    onSuccess: async (result) => {
      const warnings = (result as { warnings?: string[] }).warnings ?? [];
      setNotice([T.order.done, ...warnings].join(' '));
      await queryClient.invalidateQueries({ queryKey: ['purchasing'] });
    },
  });
  const run = (path: string, body?: unknown) => (event?: FormEvent) => {
    event?.preventDefault();
    setNotice(null);
    step.mutate({ path, body });
  };
  const remaining = order.lines.filter((l) => l.deliveredQuantity < l.quantity);
  const { status } = order;
  const forms: ReactNode[] = [];

  if (status === 'draft' && mayApprove) forms.push(<Button key="submit" onClick={run('submit')}>{T.order.submit}</Button>);
  if (status === 'submitted' && mayValidate) {
    forms.push(
      <Stack key="validate" gap="xs" component="form" onSubmit={run('validate', overrideReason.trim() ? { override: { reason: overrideReason.trim() } } : {})} maw={560}>
        {mayOverride && <TextInput label={T.order.overrideReason} description={T.order.overrideHint} value={overrideReason} onChange={(e) => setOverrideReason(e.currentTarget.value)} maxLength={500} />}
        <Group>
          <Button type="submit">{overrideReason.trim() ? T.order.validateOverride : T.order.validate}</Button>
        </Group>
      </Stack>,
    );
  }
  if (status === 'validated' && mayValidate) forms.push(<Button key="send" onClick={run('send')}>{T.order.send}</Button>);
  if ((status === 'sent' || status === 'partially_delivered') && mayUpdate) {
    const lines = remaining.map((l) => ({ orderLineId: l.id, quantity: Number(delivered[l.id] ?? l.quantity - l.deliveredQuantity) })).filter((l) => l.quantity > 0);
    forms.push(
      <Stack key="deliver" gap="xs" component="form" onSubmit={run('deliveries', { lines })} maw={560}>
        {remaining.map((l) => (
          <TextInput
            key={l.id}
            type="number"
            min={0}
            max={l.quantity - l.deliveredQuantity}
            label={T.order.deliverQuantity(l.itemLabel, l.quantity - l.deliveredQuantity)}
            value={delivered[l.id] ?? String(l.quantity - l.deliveredQuantity)}
            onChange={(e) => setDelivered({ ...delivered, [l.id]: e.currentTarget.value })}
          />
        ))}
        <Group>
          <Button type="submit">{T.order.deliver}</Button>
        </Group>
      </Stack>,
    );
  }
  if (status === 'delivered' && mayValidate) {
    forms.push(
      <Stack key="invoice" gap="xs" component="form" onSubmit={run('invoice', { ...invoice, amount: Number(invoice.amount.replace(',', '.')) })} maw={560}>
        <TextInput label={T.order.invoiceNumber} required value={invoice.invoiceNumber} onChange={(e) => setInvoice({ ...invoice, invoiceNumber: e.currentTarget.value })} />
        <TextInput label={T.order.invoiceAmount} required inputMode="decimal" value={invoice.amount} onChange={(e) => setInvoice({ ...invoice, amount: e.currentTarget.value })} />
        <TextInput label={T.order.chorusId} required value={invoice.chorusInvoiceId} onChange={(e) => setInvoice({ ...invoice, chorusInvoiceId: e.currentTarget.value })} />
        <Group>
          <Button type="submit">{T.order.recordInvoice}</Button>
        </Group>
      </Stack>,
    );
  }
  if (status === 'invoiced' && mayValidate) forms.push(<Button key="close" onClick={run('close')}>{T.order.close}</Button>);
  if ((status === 'draft' || status === 'submitted' || status === 'validated') && mayCancel) {
    forms.push(
      <Group key="cancel" component="form" onSubmit={run('cancel', { reason: cancelReason })} align="flex-end">
        <TextInput label={T.order.cancelReason} required value={cancelReason} onChange={(e) => setCancelReason(e.currentTarget.value)} maxLength={500} w={320} />
        <Button type="submit" color="red.9" variant="outline">
          {T.order.cancel}
        </Button>
      </Group>,
    );
  }
  if (forms.length === 0) return null;
  return (
    <section aria-labelledby="order-actions">
      <Title order={2} fz="h4" id="order-actions" mb="xs">
        {T.order.actions}
      </Title>
      <div aria-live="polite">
        {step.error && (
          <Alert color="red" role="alert" title={T.order.refused} mb="sm">
            {errorMessage(step.error)}
          </Alert>
        )}
        {notice && (
          <Alert color="green" mb="sm">
            {notice}
          </Alert>
        )}
      </div>
      <Stack gap="md">{forms}</Stack>
    </section>
  );
}

export function OrderPage() {
  const { id } = useParams();
  const { data: order, error, refetch } = useQuery({ queryKey: ['purchasing', 'order', id], queryFn: () => api<Order>(`/api/purchasing/orders/${id}`) });
  if (error) return <LoadError error={error} onRetry={() => void refetch()} />;
  if (!order) return <Loading />;
  return (
    <>
      <PageHeader title={T.order.title(order)} actions={order.number ? <Anchor href={`/api/purchasing/orders/${order.id}/purchase-order`} target="_blank" rel="noopener">{T.order.printable}</Anchor> : undefined}>
        <Group gap="sm">
          <StatusBadge status={order.status} />
          <Text>{order.title}</Text>
        </Group>
      </PageHeader>
      <Stack gap="xl">
        <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }}>
          <Fact label={T.order.member}>{order.memberName}</Fact>
          <Fact label={T.order.agreement}>
            {order.agreementReference} — {T.lots[order.lotCode]}
          </Fact>
          <Fact label={T.order.supplier}>{order.supplier.name}</Fact>
          <Fact label={T.order.site}>{order.deliverySiteName ?? '—'}</Fact>
          <Fact label={T.order.budget}>{order.budgetLabel ?? '—'}</Fact>
          <Fact label={T.order.totals}>{T.order.totalsValue(order.totalExclVat, order.totalInclVat)}</Fact>
          {order.overrideReason && <Fact label={T.order.override}>{order.overrideReason}</Fact>}
          {order.invoice && <Fact label={T.order.invoice}>{T.order.invoiceValue(order.invoice)}</Fact>}
        </SimpleGrid>
        <Actions order={order} />
        <section aria-labelledby="order-lines">
          <Title order={2} fz="h4" id="order-lines" mb="xs">
            {T.order.lines}
          </Title>
          <Table striped data-testid="order-lines">
            <Table.Thead>
              <Table.Tr>
                {Object.values(T.order.columns).map((label) => (
                  <Table.Th key={label}>{label}</Table.Th>
                ))}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {order.lines.map((l) => (
                <Table.Tr key={l.id}>
                  <Table.Td>{l.itemReference}</Table.Td>
                  <Table.Td>{l.itemLabel}</Table.Td>
                  <Table.Td>
                    {l.quantity} {l.unit}
                  </Table.Td>
                  <Table.Td>{l.deliveredQuantity}</Table.Td>
                  <Table.Td>{T.money(l.unitPriceExclVat)}</Table.Td>
                  <Table.Td>{T.money(l.listPrice)}</Table.Td>
                  <Table.Td>{T.money(l.totalExclVat)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </section>
        <section aria-labelledby="order-timeline">
          <Title order={2} fz="h4" id="order-timeline" mb="xs">
            {T.order.timeline}
          </Title>
          <List data-testid="order-timeline">
            {order.timeline.map((e, i) => (
              <List.Item key={i}>
                {formatDateTime(e.at)} — {T.verbs[e.verb] ?? e.verb} — {e.actor}
                {typeof e.details.reason === 'string' && ` — ${e.details.reason}`}
                {typeof e.details.override === 'string' && ` — ${T.order.override} : ${e.details.override}`}
              </List.Item>
            ))}
          </List>
        </section>
      </Stack>
    </>
  );
}
