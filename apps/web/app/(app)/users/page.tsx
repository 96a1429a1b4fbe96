import { UsersView } from '../../../features/users/users-view';
import '../../../styles/users.css';

export default function UsersPage() {
  return <UsersView />;
}
