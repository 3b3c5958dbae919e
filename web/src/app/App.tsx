import { createBrowserRouter, RouterProvider, type RouteObject } from 'react-router';
import { MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { ApiError } from './api';
import { SessionProvider } from './session';
import { Shell } from './Shell';
import { LoginPage } from './LoginPage';
import { HomePage } from './HomePage';
import { Loading, NotFound } from './components';
import { MODULES } from './modules';
import { cssVariables, theme } from './theme';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 30_000,
      // Client errors (403, 404, 422) will not change on retry; network and server errors may.
      retry: (count, error) => count < 2 && !(error instanceof ApiError && error.status >= 400 && error.status < 500),
      refetchOnWindowFocus: false,
    },
  },
});

const routes: RouteObject[] = [
  { path: '/connexion', element: <LoginPage /> },
  {
    element: <Shell />,
    hydrateFallbackElement: <Loading />,
    children: [{ index: true, element: <HomePage /> }, ...MODULES.flatMap((m) => m.routes), { path: '*', element: <NotFound /> }],
  },
];

function Root() {
  return (
    <SessionProvider>
      <RouterProvider router={router} />
    </SessionProvider>
  );
}

const router = createBrowserRouter(routes);

export function App() {
  return (
    <MantineProvider theme={theme} cssVariablesResolver={cssVariables} defaultColorScheme="light">
      <QueryClientProvider client={queryClient}>
        <Root />
      </QueryClientProvider>
    </MantineProvider>
  );
}
