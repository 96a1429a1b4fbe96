import { AccountView } from '../../../features/account/account-view';

export default function AccountPage() {
  return <AccountView />;
}
