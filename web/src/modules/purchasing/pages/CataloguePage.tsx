import { useEffect, useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Badge, Button, Checkbox, Group, NativeSelect, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { api, ApiError, errorMessage } from '../../../app/api';
import { ListFooter, LoadError, Loading, PageHeader } from '../../../app/components';
import { useCurrentSession, usePermission } from '../../../app/session';
import type { Page } from '../../../app/types';
import { T } from '../strings';
import type { Budget, Item, LotCode, Order, Site } from '../types';

interface CartLine {
  itemId: string;
  lotId: string;
  lotCode: LotCode;
  label: string;
  unitPrice: number;
  quantity: number;
}

const CART_KEY = 'mutualis.purchasing.cart';
const loadCart = (): CartLine[] => {
  try {
    return JSON.parse(sessionStorage.getItem(CART_KEY) ?? '[]') as CartLine[];
  } catch {
    return [];
  }
};

/** The cart: lines of one lot, kept for the browser session, turned into a draft order. */
function Cart({ lines, setLines }: { lines: CartLine[]; setLines: (lines: CartLine[]) => void }) {
  const session = useCurrentSession();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const memberId = session.member.id;
  const [title, setTitle] = useState('');
  const [siteId, setSiteId] = useState('');
  const [budgetId, setBudgetId] = useState('');
  const sites = useQuery({ queryKey: ['purchasing', 'sites', memberId], queryFn: () => api<Page<Site>>('/api/sites', { query: { memberId, pageSize: 200 } }) });
  const budgets = useQuery({ queryKey: ['purchasing', 'budgets', memberId], queryFn: () => api<Budget[]>('/api/purchasing/budgets', { query: { memberId } }) });
  const ownSites = (sites.data?.items ?? []).filter((s) => s.memberId === memberId);
  const create = useMutation({
    mutationFn: () =>
      api<Order>('/api/purchasing/orders', {
        method: 'POST',
        body: { lotId: lines[0]!.lotId, title: title || undefined, deliverySiteId: siteId || null, budgetId: budgetId || null, lines: lines.map((l) => ({ itemId: l.itemId, quantity: l.quantity })) },
      }),
    onSuccess: async (order) => {
      setLines([]);
      await queryClient.invalidateQueries({ queryKey: ['purchasing'] });
      void navigate(`/achats/commandes/${order.id}`);
    },
  });
  const estimate = lines.reduce((sum, l) => sum + Math.round(l.unitPrice * 100) * l.quantity, 0) / 100;

  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate();
  }

  return (
    <section aria-labelledby="purchasing-cart">
      <Title order={2} fz="h4" id="purchasing-cart" mb="xs">
        {T.catalogue.cart}
      </Title>
      {lines.length === 0 ? (
        <Text>{T.catalogue.cartEmpty}</Text>
      ) : (
        <Stack gap="sm" component="form" onSubmit={submit} maw={720}>
          <Text fw={600}>{T.catalogue.cartLot(T.lots[lines[0]!.lotCode])}</Text>
          <Table aria-label={T.catalogue.cart}>
            <Table.Tbody>
              {lines.map((l) => (
                <Table.Tr key={l.itemId}>
                  <Table.Td>{l.label}</Table.Td>
                  <Table.Td>× {l.quantity}</Table.Td>
                  <Table.Td>{T.money(l.unitPrice)}</Table.Td>
                  <Table.Td>
                    <Button variant="subtle" color="blue.9" size="xs" aria-label={T.catalogue.remove(l.label)} onClick={() => setLines(lines.filter((x) => x.itemId !== l.itemId))}>
                      ✕
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <Text>
            {T.catalogue.estimate} : <strong>{T.money(estimate)}</strong>
          </Text>
          <TextInput label={T.catalogue.orderTitle} value={title} onChange={(e) => setTitle(e.currentTarget.value)} maxLength={200} />
          <NativeSelect label={T.catalogue.site} value={siteId} onChange={(e) => setSiteId(e.currentTarget.value)} data={[{ value: '', label: '—' }, ...ownSites.map((s) => ({ value: s.id, label: s.name }))]} />
          <NativeSelect
            label={T.catalogue.budget}
            value={budgetId}
            onChange={(e) => setBudgetId(e.currentTarget.value)}
            data={[{ value: '', label: '—' }, ...(budgets.data ?? []).map((b) => ({ value: b.id, label: `${b.programme} ${b.year} (disponible ${T.money(b.available)})` }))]}
          />
          <div aria-live="polite">
            {create.error && (
              <Alert color="red" role="alert" title={T.catalogue.refused}>
                {errorMessage(create.error)}
                {create.error instanceof ApiError && create.error.details.length > 1 && (
                  <ul>
                    {create.error.details.map((d) => (
                      <li key={`${d.field}${d.message}`}>{d.message}</li>
                    ))}
                  </ul>
                )}
              </Alert>
            )}
          </div>
          <Group>
            <Button type="submit" loading={create.isPending}>
              {T.catalogue.create}
            </Button>
            <Button variant="outline" onClick={() => setLines([])}>
              {T.catalogue.clear}
            </Button>
          </Group>
        </Stack>
      )}
    </section>
  );
}

export function CataloguePage() {
  const canOrder = usePermission('purchasing_order', 'create');
  const canEdit = usePermission('purchasing_catalogue', 'update');
  const queryClient = useQueryClient();
  const [includeWithdrawn, setIncludeWithdrawn] = useState(false);
  const toggle = useMutation({
    mutationFn: (item: Item) => api<Item>(`/api/purchasing/items/${item.id}`, { method: 'PATCH', body: { withdrawn: !item.withdrawn } }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['purchasing', 'items'] }),
  });
  const [q, setQ] = useState('');
  const [lotCode, setLotCode] = useState('');
  const [page, setPage] = useState(1);
  const [quantities, setQuantities] = useState<Record<string, string>>({});
  const [cart, setCart] = useState<CartLine[]>(loadCart);
  const [warning, setWarning] = useState<string | null>(null);
  useEffect(() => sessionStorage.setItem(CART_KEY, JSON.stringify(cart)), [cart]);
  const { data, error, refetch } = useQuery({
    queryKey: ['purchasing', 'items', q, lotCode, includeWithdrawn, page],
    queryFn: () => api<Page<Item>>('/api/purchasing/items', { query: { q, lotCode, page, pageSize: 25, includeWithdrawn: includeWithdrawn || undefined } }),
    placeholderData: keepPreviousData,
  });

  function add(item: Item) {
    const quantity = Number(quantities[item.id] ?? '1');
    if (!Number.isInteger(quantity) || quantity <= 0) return;
    if (cart.length > 0 && cart[0]!.lotId !== item.lotId) {
      setWarning(T.catalogue.otherLot);
      return;
    }
    setWarning(null);
    const existing = cart.find((l) => l.itemId === item.id);
    setCart(
      existing
        ? cart.map((l) => (l.itemId === item.id ? { ...l, quantity: l.quantity + quantity } : l))
        : [...cart, { itemId: item.id, lotId: item.lotId, lotCode: item.lotCode, label: item.label, unitPrice: item.unitPriceExclVat, quantity }],
    );
  }

  return (
    <>
      <PageHeader title={T.catalogue.title}>
        <Text>{T.catalogue.intro}</Text>
      </PageHeader>
      <Stack gap="xl">
        <section aria-label={T.catalogue.title}>
          <Group mb="sm" align="flex-end">
            <TextInput label={T.catalogue.search} type="search" value={q} onChange={(e) => { setQ(e.currentTarget.value); setPage(1); }} w={320} />
            <NativeSelect
              label={T.catalogue.lot}
              value={lotCode}
              onChange={(e) => { setLotCode(e.currentTarget.value); setPage(1); }}
              data={[{ value: '', label: T.catalogue.allLots }, ...Object.entries(T.lots).map(([value, label]) => ({ value, label }))]}
            />
            {canEdit && <Checkbox mb={8} label={T.catalogue.includeWithdrawn} checked={includeWithdrawn} onChange={(e) => { setIncludeWithdrawn(e.currentTarget.checked); setPage(1); }} />}
          </Group>
          {toggle.error && (
            <Alert color="red" role="alert" mb="sm">
              {errorMessage(toggle.error)}
            </Alert>
          )}
          {error && <LoadError error={error} onRetry={() => void refetch()} />}
          {!data && !error && <Loading />}
          {data && (
            <>
              <Table striped data-testid="catalogue-table">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{T.catalogue.columns.reference}</Table.Th>
                    <Table.Th>{T.catalogue.columns.label}</Table.Th>
                    <Table.Th>{T.catalogue.columns.lot}</Table.Th>
                    <Table.Th>{T.catalogue.columns.price}</Table.Th>
                    <Table.Th>{T.catalogue.columns.list}</Table.Th>
                    <Table.Th>{T.catalogue.columns.tiers}</Table.Th>
                    {canOrder && <Table.Th>{T.catalogue.columns.add}</Table.Th>}
                    {canEdit && <Table.Th>{T.catalogue.withdrawn}</Table.Th>}
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.items.map((item) => (
                    <Table.Tr key={item.id}>
                      <Table.Td>{item.reference}</Table.Td>
                      <Table.Td>
                        {item.label}
                        <Text size="xs" c="dimmed">
                          {item.unit} · {item.agreementReference}
                        </Text>
                      </Table.Td>
                      <Table.Td>{T.lots[item.lotCode]}</Table.Td>
                      <Table.Td>{T.money(item.unitPriceExclVat)}</Table.Td>
                      <Table.Td>{T.money(item.listPrice)}</Table.Td>
                      <Table.Td>{item.tiers.map((t) => T.catalogue.tier(t.minQuantity, t.unitPriceExclVat)).join(' ; ') || '—'}</Table.Td>
                      {canOrder && (
                        <Table.Td>
                          <Group gap="xs" wrap="nowrap">
                            <TextInput
                              aria-label={T.catalogue.quantityOf(item.label)}
                              type="number"
                              min={1}
                              step={1}
                              w={80}
                              value={quantities[item.id] ?? '1'}
                              onChange={(e) => setQuantities({ ...quantities, [item.id]: e.currentTarget.value })}
                            />
                            <Button size="xs" aria-label={T.catalogue.addLabel(item.label)} onClick={() => add(item)}>
                              {T.catalogue.add}
                            </Button>
                          </Group>
                        </Table.Td>
                      )}
                      {canEdit && (
                        <Table.Td>
                          <Group gap="xs" wrap="nowrap">
                            {item.withdrawn && (
                              <Badge variant="filled" color="gray.8" tt="none">
                                {T.catalogue.withdrawn}
                              </Badge>
                            )}
                            <Button size="xs" variant="outline" color="blue.9" aria-label={item.withdrawn ? T.catalogue.restore(item.label) : T.catalogue.withdraw(item.label)} onClick={() => toggle.mutate(item)}>
                              {item.withdrawn ? T.catalogue.restoreShort : T.catalogue.withdrawShort}
                            </Button>
                          </Group>
                        </Table.Td>
                      )}
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
              <ListFooter total={data.total} page={data.page} pageSize={data.pageSize} onPage={setPage} />
            </>
          )}
        </section>
        {canOrder && (
          <>
            <div aria-live="polite">{warning && <Alert color="blue">{warning}</Alert>}</div>
            <Cart lines={cart} setLines={setCart} />
          </>
        )}
      </Stack>
    </>
  );
}
