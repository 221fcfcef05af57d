/**
 * Component tests run beside the companion's suites on 2 cores: give findBy… and waitFor five
 * seconds (Testing Library's default is one) so a busy machine slows a test instead of failing it.
 */
import { configure } from '@testing-library/react';

configure({ asyncUtilTimeout: 5_000 });
